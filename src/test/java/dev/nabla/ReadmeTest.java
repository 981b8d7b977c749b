package dev.nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Java block in README.md compiles as written, against Nabla's classes (as a user pastes it). */
class ReadmeTest {
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS = Pattern.compile("^(?:public\\s+)?class\\s+(\\w+)",
      Pattern.MULTILINE);

  @Test
  void everyJavaBlockCompiles(@TempDir Path tmp) throws Exception {
    String readme = Files.readString(MnistFixture.projectDir().resolve("README.md"));
    List<String> files = new ArrayList<>();
    Matcher m = BLOCK.matcher(readme);
    while (m.find()) {
      String code = m.group(1);
      Matcher c = CLASS.matcher(code);
      assertTrue(c.find(), "a README Java block is not a whole class (imports and all):\n" + code);
      Path file = tmp.resolve(c.group(1) + ".java");
      Files.writeString(file, code);
      files.add(file.toString());
    }
    assertTrue(files.size() >= 3, "README's Java blocks: found " + files.size());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("-d", tmp.resolve("classes").toString(),
        "-classpath", System.getProperty("java.class.path"), "-Xlint:none"));
    args.addAll(files);
    int code = javac.run(null, null, null, args.toArray(new String[0]));
    assertEquals(0, code, "README's Java blocks do not compile (javac output above)");
  }
}
