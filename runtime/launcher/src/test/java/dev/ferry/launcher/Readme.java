package dev.ferry.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The README's own examples, read from the file as a user would copy them. */
final class Readme {
    static final Path FILE = Path.of("../../README.md");

    private Readme() {}

    /** The first fenced block after the first line containing {@code marker}, without its fences. */
    static String blockAfter(String marker) throws IOException {
        List<String> lines = Files.readAllLines(FILE, StandardCharsets.UTF_8);
        int at = 0;
        while (at < lines.size() && !lines.get(at).contains(marker)) {
            at++;
        }
        if (at == lines.size()) {
            throw new AssertionError("README.md has no line with '" + marker + "'");
        }
        while (!lines.get(at).startsWith("```")) {
            at++;
        }
        StringBuilder block = new StringBuilder();
        for (int i = at + 1; !lines.get(i).startsWith("```"); i++) {
            block.append(lines.get(i)).append('\n');
        }
        return block.toString();
    }
}
