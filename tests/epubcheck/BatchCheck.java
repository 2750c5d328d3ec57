// Runs EPUBCheck on many EPUB files in one JVM, which saves the seconds a
// JVM takes to start for each file. Arguments are pairs: an EPUB file and
// the JSON report to write for it. Used by tests/check_agreement.rs with
// `java -cp epubcheck.jar BatchCheck.java ...`.
public class BatchCheck {
    public static void main(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            String[] options = {args[i], "--json", args[i + 1], "--usage", "--quiet", "--locale", "en"};
            new com.adobe.epubcheck.tool.EpubChecker().run(options);
        }
    }
}
