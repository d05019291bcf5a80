package org.libpoints;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.Locale;

/**
 * Loads the JNI library (libpoints_jni.so), which carries libpoints
 * inside it, and SQLite, libuuid and libsodium too (it needs only the C
 * library). In order:
 * <ol>
 * <li>the system property {@value #PROPERTY}, an absolute path to the
 * JNI library ({@code -Dorg.libpoints.library=/opt/app/libpoints_jni.so});</li>
 * <li>{@code System.loadLibrary("points_jni")}, which searches
 * {@code java.library.path};</li>
 * <li>the library beside the jar (or beside the class directory), so a
 * project can ship {@code libpoints.jar} and {@code libpoints_jni.so}
 * side by side;</li>
 * <li>the copy inside the jar, {@value #RESOURCE_DIR}/OS-ARCH/ (for
 * instance {@code linux-x86_64}), written to a temporary file in
 * {@code java.io.tmpdir}, loaded, and deleted (the loaded library stays
 * mapped), as sqlite-jdbc does: then the jar is all an application
 * needs.</li>
 * </ol>
 */
final class NativeLoader {
    static final String PROPERTY = "org.libpoints.library";
    static final String NAME = "points_jni";
    static final String RESOURCE_DIR = "/org/libpoints/native";
    private static boolean loaded;

    private NativeLoader() {
    }

    static synchronized void load() {
        if (loaded)
            return;
        String path = System.getProperty(PROPERTY);
        if (path != null && !path.isEmpty()) {
            System.load(new File(path).getAbsolutePath());
            loaded = true;
            return;
        }
        try {
            System.loadLibrary(NAME);
        } catch (UnsatisfiedLinkError e) {
            try {
                File beside = besideCode();
                if (beside != null)
                    System.load(beside.getAbsolutePath());
                else
                    loadFromJar();
            } catch (UnsatisfiedLinkError e2) {
                e2.addSuppressed(e);
                throw e2;
            }
        }
        loaded = true;
    }

    /* The platform's folder in the jar: linux-x86_64, linux-aarch64. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux"))
            os = "linux";
        else if (os.startsWith("mac"))
            os = "macos";
        else if (os.startsWith("windows"))
            os = "windows";
        if (arch.equals("amd64") || arch.equals("x86-64"))
            arch = "x86_64";
        else if (arch.equals("arm64"))
            arch = "aarch64";
        return os + "-" + arch;
    }

    /* The jar's copy of the library, for this platform, copied to a
     * temporary file of its own (readable by this user only) and loaded
     * from there; the file is deleted once loaded, or if loading fails. */
    private static void loadFromJar() {
        String name = RESOURCE_DIR + "/" + platform() + "/" + System.mapLibraryName(NAME);
        Path tmp = null;
        try (InputStream in = NativeLoader.class.getResourceAsStream(name)) {
            if (in == null)
                throw new UnsatisfiedLinkError("libpoints: no " + System.mapLibraryName(NAME)
                        + " in java.library.path, beside the jar, or in the jar for "
                        + platform() + " (" + name + ")");
            tmp = Files.createTempFile("libpoints_jni-", ".so");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            System.load(tmp.toAbsolutePath().toString());
        } catch (IOException e) {
            UnsatisfiedLinkError err = new UnsatisfiedLinkError("libpoints: cannot write "
                    + name + " to a temporary file in " + System.getProperty("java.io.tmpdir")
                    + ": " + e);
            err.initCause(e);
            throw err;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    tmp.toFile().deleteOnExit();
                }
            }
        }
    }

    /* lib<NAME>.so in the directory of the jar or class tree holding this
     * class, or in its parent (build/java/classes -> build/java). */
    private static File besideCode() {
        CodeSource src = NativeLoader.class.getProtectionDomain().getCodeSource();
        if (src == null || src.getLocation() == null)
            return null;
        File where;
        try {
            where = new File(src.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        String file = System.mapLibraryName(NAME);
        File dir = where.isDirectory() ? where : where.getParentFile();
        if (dir == null)
            return null;
        File f = new File(dir, file);
        if (!f.isFile() && dir.getParentFile() != null)
            f = new File(dir.getParentFile(), file);
        return f.isFile() ? f : null;
    }
}
