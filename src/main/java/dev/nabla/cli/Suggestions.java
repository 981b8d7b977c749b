package dev.nabla.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Near matches for a mistyped option or command: picocli's own, one typo per four letters
 * counting swapped neighbours as one (--epoch -> --epochs, --mdoel -> --model, trian -> train),
 * and abbreviations by initials or prefix (--lr -> --learning-rate, --bs -> --batch-size).
 */
final class Suggestions {
  private Suggestions() {}

  static List<String> of(CommandLine.ParameterException ex) {
    if (!(ex instanceof CommandLine.UnmatchedArgumentException u)) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>(u.getSuggestions());
    CommandSpec spec = ex.getCommandLine().getCommandSpec();
    for (String arg : u.getUnmatched()) {
      if (arg.startsWith("-")) {
        String typed = arg.replaceFirst("^-+", "").split("=", 2)[0].toLowerCase(Locale.ROOT);
        for (OptionSpec o : spec.options()) {
          String name = o.longestName();
          if (name.startsWith("--") && (abbreviates(typed, name.substring(2))
              || close(typed, name.substring(2)))) {
            out.add(name);
          }
        }
      } else {
        for (String command : spec.subcommands().keySet()) {
          String typed = arg.toLowerCase(Locale.ROOT);
          if (typed.length() >= 2 && command.startsWith(typed) || close(typed, command)) {
            out.add(command);
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** Within one typo per four letters: a wrong, missing, extra or swapped letter. */
  static boolean close(String typed, String name) {
    return typed.length() >= 3 && distance(typed, name) <= Math.max(1, name.length() / 4);
  }

  /** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** "lr" for "learning-rate" (initials), "bat" for "batch-size" (a prefix of 2+ letters). */
  static boolean abbreviates(String typed, String name) {
    if (typed.length() < 2) {
      return false;
    }
    StringBuilder initials = new StringBuilder();
    for (String word : name.split("-")) {
      if (!word.isEmpty()) {
        initials.append(word.charAt(0));
      }
    }
    return name.contains("-") && typed.contentEquals(initials)
        || typed.length() >= 3 && name.startsWith(typed) && !name.equals(typed);
  }
}
