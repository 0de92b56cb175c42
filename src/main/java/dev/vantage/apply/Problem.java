package dev.vantage.apply;

/**
 * Why a file, or one value in it, cannot be applied: {@code monitors.yml:14: monitors[2].timeout_ms: expected an
 * integer}. Never contains a secret value.
 *
 * @param file the file as given on the command line (or found in the directory)
 * @param line 1-based line of the value at fault; 0 for a problem of no line (a row --prune cannot delete)
 * @param path where in the file, e.g. {@code monitors[2].timeout_ms}
 */
record Problem(String file, int line, String path, String message) implements Comparable<Problem> {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }

    @Override
    public int compareTo(Problem o) {
        int c = file.compareTo(o.file);
        return c != 0 ? c : Integer.compare(line, o.line);
    }
}
