package dev.ferry.worker.internal.config;

import java.util.Locale;

/** Which settings hold secrets, so that they are never logged or printed back. */
final class Secrets {
    static final String MASK = "********";

    private Secrets() {}

    /**
     * @param key a property name
     * @return whether its value is a secret: passwords, tokens, secrets and private keys themselves,
     *     not the names of files holding them ({@code password_file}, {@code token_file} are paths)
     */
    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.endsWith("_file") || k.endsWith(".file")) {
            return false;
        }
        return k.contains("password")
                || k.contains("passwd")
                || k.contains("token")
                || k.contains("secret")
                || k.contains("private_key")
                || k.contains("api_key")
                || k.contains("credential");
    }

    /** A value as it may be shown: a reference ($[env:NAME]) as the config.yaml spelling, a secret masked. */
    static String show(String key, boolean secret, Object value) {
        String text = value instanceof String[] a ? "[" + String.join(", ", a) + "]" : String.valueOf(value);
        if (text.startsWith("$[") && text.endsWith("]") && text.indexOf(']') == text.length() - 1) {
            return "${" + text.substring(2, text.length() - 1)
                    + "}"; // a reference names where the secret is, not the secret
        }
        // a password can also sit inside another value: a URL's user or parameters, init_sql's PASSWORD '…'
        return secret || isSecret(key) ? MASK : dev.ferry.support.Redact.inText(text);
    }
}
