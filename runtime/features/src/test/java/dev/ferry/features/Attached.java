package dev.ferry.features;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What this module publishes besides its pom, read from the one list there is: the {@code
 * attach-features} execution in its pom.xml (features.xml and every default configuration file). The
 * tests take that list rather than a copy of it, so a file added there reaches Karaf in KarafIT exactly as
 * it reaches a Maven repository with {@code mvn install}.
 */
record Attached(Path file, String type, String classifier) {
    private static final String EXECUTION = "attach-features";

    /** The artifacts the pom in {@code module} attaches, files resolved against the module. */
    static List<Attached> fromPom(Path module) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        var pom = factory.newDocumentBuilder().parse(module.resolve("pom.xml").toFile());
        NodeList executions = pom.getElementsByTagName("execution");
        for (int i = 0; i < executions.getLength(); i++) {
            Element execution = (Element) executions.item(i);
            if (!EXECUTION.equals(text(execution, "id"))) {
                continue;
            }
            List<Attached> attached = new ArrayList<>();
            NodeList artifacts = execution.getElementsByTagName("artifact");
            for (int a = 0; a < artifacts.getLength(); a++) {
                Element artifact = (Element) artifacts.item(a);
                String file = text(artifact, "file")
                        .replace("${project.build.directory}", "target")
                        .replace("${project.basedir}/", "");
                if (file.contains("${")) {
                    throw new AssertionError("pom.xml attaches " + file + ": a property this reader does not know");
                }
                attached.add(new Attached(module.resolve(file), text(artifact, "type"), text(artifact, "classifier")));
            }
            return attached;
        }
        throw new AssertionError(module.resolve("pom.xml") + " has no execution '" + EXECUTION + "'");
    }

    /** Puts this artifact into a repository in Maven's layout, as groupId dev.ferry, artifactId ferry-features. */
    void copyInto(Path repository, String version) throws IOException {
        Path folder = Files.createDirectories(repository.resolve("dev/ferry/ferry-features/" + version));
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("pom.xml attaches " + file + ", which the build did not make");
        }
        Files.copy(
                file,
                folder.resolve("ferry-features-" + version + "-" + classifier + "." + type),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        if (nodes.getLength() == 0) {
            throw new AssertionError("pom.xml: <" + parent.getTagName() + "> without <" + tag + ">");
        }
        return nodes.item(0).getTextContent().strip();
    }
}
