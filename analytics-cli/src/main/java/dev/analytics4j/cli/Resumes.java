package dev.analytics4j.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Decides, before anything is read or sent, which checkpoint a run keeps: a new one, or the one it
 * resumes after checking that it describes these very inputs, unchanged, read the same way. Every
 * refusal names what differs and what to do.
 */
final class Resumes {
  private Resumes() {}

  /** What a run will do with its checkpoint. */
  static final class Plan {
    /** The rejects file a resumed run uses when none was given: one of its own. Null otherwise. */
    final @Nullable Path rejects;
    private final Path path;
    private final List<Checkpoint.Identity> inputs;
    private final String charset;
    private final @Nullable Checkpoint previous;

    private Plan(@Nullable Path rejects, Path path, List<Checkpoint.Identity> inputs, String charset,
        @Nullable Checkpoint previous) {
      this.rejects = rejects;
      this.path = path;
      this.inputs = inputs;
      this.charset = charset;
      this.previous = previous;
    }

    /** Writes the run's first version of the checkpoint, naming {@code rejectsFile} as this run's. */
    Checkpoint start(Path rejectsFile) throws IOException, Checkpoint.RefusedException {
      String rejectsPath = rejectsFile.toAbsolutePath().normalize().toString();
      if (previous == null) {
        Checkpoint checkpoint = new Checkpoint(path, inputs, charset, List.of(rejectsPath), new FinalLines());
        try {
          checkpoint.create();
        } catch (FileAlreadyExistsException e) {
          throw new Checkpoint.RefusedException("--checkpoint " + path + " was created by someone else just now; "
              + "run again");
        }
        return checkpoint;
      }
      // Written at once: a kill before the first line settles still knows this run's rejects file.
      Checkpoint checkpoint = previous.nextRun(rejectsPath);
      checkpoint.write();
      return checkpoint;
    }
  }

  /**
   * The plan for a run of {@code inputs}; null when it can keep no checkpoint (an input is not a
   * regular file, so it cannot be read again the same way) and does not resume.
   *
   * @param rejectsGiven the --rejects path when the user gave one, null for the default.
   */
  static @Nullable Plan plan(Path path, boolean resume, List<Path> inputs, Charset charset, @Nullable Path rejectsGiven)
      throws Checkpoint.RefusedException, IOException {
    for (Path input : inputs) {
      if (!Files.isRegularFile(input)) {
        if (resume) {
          throw new Checkpoint.RefusedException("--resume needs inputs that can be read again: " + input
              + " is not a regular file (a pipe or a device)");
        }
        return null;
      }
    }
    List<Checkpoint.Identity> identities = new ArrayList<>();
    for (Path input : inputs) identities.add(Checkpoint.identify(input));
    String shown = "--checkpoint " + path;
    if (!resume) {
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        if (Checkpoint.isCheckpoint(path)) {
          throw new Checkpoint.RefusedException("an unfinished import left its checkpoint at " + path + ": continue "
              + "it with --resume, or remove that file to start over (or give another --checkpoint)");
        }
        throw new Checkpoint.RefusedException(shown + " exists and is not a checkpoint of this importer; "
            + "give another path");
      }
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new Checkpoint.RefusedException(shown + ": the directory " + parent + " does not exist");
      }
      return new Plan(null, path, identities, charset.name(), null);
    }

    Checkpoint previous = Checkpoint.read(path);
    if (!previous.charset.equals(charset.name())) {
      throw new Checkpoint.RefusedException("--resume: the import was read as " + previous.charset
          + "; pass --charset " + previous.charset + " (another charset gives other texts, so other messageIds)");
    }
    if (previous.inputs.size() != identities.size()) {
      throw new Checkpoint.RefusedException(String.format(Locale.ROOT, "--resume: the import read %d input "
          + "file(s) (%s); give the same files in the same order", previous.inputs.size(), names(previous.inputs)));
    }
    for (int i = 0; i < identities.size(); i++) {
      String difference = previous.inputs.get(i).difference(identities.get(i));
      if (difference != null) {
        throw new Checkpoint.RefusedException("--resume: input " + inputs.get(i) + " is not the file the import "
            + "read as input " + (i + 1) + " (" + previous.inputs.get(i).path + "), or changed since: " + difference
            + ". Resuming would skip or re-send the wrong lines; start over without --resume (remove "
            + path + ") to import it as it is now");
      }
    }
    Path rejects = rejectsGiven;
    if (rejectsGiven != null) {
      String given = rejectsGiven.toAbsolutePath().normalize().toString();
      for (String earlier : previous.rejects) {
        if (given.equals(earlier) || sameFile(rejectsGiven, Path.of(earlier))) {
          throw new Checkpoint.RefusedException("--rejects " + rejectsGiven + " is the rejects file of an earlier "
              + "run of this import, which is kept; give another path, or leave --rejects out for one of its own");
        }
      }
      rejects = null;
    } else {
      rejects = ownRejects(Path.of(previous.rejects.get(0)), previous.rejects.size());
    }
    return new Plan(rejects, path, identities, charset.name(), previous);
  }

  /** The first run's rejects path with ".resume-N" before its extension, N the first free from {@code run}. */
  static Path ownRejects(Path first, int run) {
    String name = first.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String extension = dot > 0 ? name.substring(dot) : "";
    for (int n = run; ; n++) {
      Path candidate = first.resolveSibling(stem + ".resume-" + n + extension);
      if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) return candidate;
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static String names(List<Checkpoint.Identity> inputs) {
    StringBuilder out = new StringBuilder();
    for (Checkpoint.Identity input : inputs) {
      if (out.length() > 0) out.append(", ");
      out.append(input.path);
    }
    return out.toString();
  }
}
