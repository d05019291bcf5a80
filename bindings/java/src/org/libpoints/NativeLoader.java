package org.libpoints;

import java.io.File;
import java.net.URISyntaxException;
import java.security.CodeSource;

/**
 * Loads the JNI library (libpoints_jni.so), which carries libpoints
 * inside it (it needs only SQLite, libuuid and libsodium). In order:
 * <ol>
 * <li>the system property {@value #PROPERTY}, an absolute path to the
 * JNI library ({@code -Dorg.libpoints.library=/opt/app/libpoints_jni.so});</li>
 * <li>{@code System.loadLibrary("points_jni")}, which searches
 * {@code java.library.path};</li>
 * <li>the library beside the jar (or beside the class directory), so a
 * project can ship {@code libpoints.jar} and {@code libpoints_jni.so}
 * side by side.</li>
 * </ol>
 */
final class NativeLoader {
    static final String PROPERTY = "org.libpoints.library";
    static final String NAME = "points_jni";
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
            File beside = besideCode();
            if (beside == null)
                throw e;
            try {
                System.load(beside.getAbsolutePath());
            } catch (UnsatisfiedLinkError e2) {
                e2.addSuppressed(e);
                throw e2;
            }
        }
        loaded = true;
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
