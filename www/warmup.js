// The built-in book the worker converts when warming up (see worker.js).
// The browser compiles a WebAssembly function the first time it runs and
// optimises it once it has run a while, so the book uses what real books
// use. It has an mdBook summary and book.toml, headings, inline markup,
// lists, a table, footnotes, reference links and links between chapters.
// It has raw HTML with comments and entities, included files with anchors
// and line ranges, highlighted code, SVG and PNG images, and one chapter
// long enough to fill deflate's window. Like an mdBook folder, it also has
// many small files that no chapter uses.

const encoder = new TextEncoder();

/** Chapters besides the long one. */
const CHAPTERS = 6;

/** Paragraphs of the long chapter: about 40 KB of Markdown. */
const LONG_CHAPTER_PARAGRAPHS = 160;

/** Small files that no chapter uses, as in a book's folder of code listings. */
const UNUSED_FILES = 300;

const RUST_LISTING = `use std::collections::HashMap;

// ANCHOR: counting
/// Counts each word of \`text\`.
fn count_words(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}
// ANCHOR_END: counting

fn main() {
    let counts = count_words("the cat and the hat");
    println!("{counts:?} {}", 1 + 2 * 3);
}
`;

function chapter(number) {
  const next = number < CHAPTERS ? `[the next chapter](chapter-${number + 1}.md#first-steps)` : 'the end';
  return `# Chapter ${number}: working with text

## First steps

Every chapter has *emphasis*, **strong words**, \`inline code\`, <kbd>Ctrl</kbd>
and a [link to the first chapter](chapter-1.md), then goes on to ${next}.
Quotes are "curly" after conversion, dashes -- like these -- too, and
entities stay: &copy; &#169; &#xA9; &amp; &lt;tag&gt;.[^note] See the
[reference][docs] for more.

<!-- A comment the book's readers never see. -->

- A list item with [an example site](https://example.org/) and some text.
- Another item, with a nested list:
  1. First.
  2. Second.

> A block quote, with a sentence long enough to wrap onto a second line
> of the source file.

| Name | Kind | Size |
|------|:----:|-----:|
| \`HashMap\` | struct | 48 |
| \`Vec\` | struct | 24 |

![A small diagram](img/diagram-${number}.svg)

<span class="filename">Filename: src/main.rs</span>

\`\`\`rust
{{#rustdoc_include ../listings/words.rs:counting}}
\`\`\`

<figure class='listing'>
<img src="img/pixels.png" alt="Four by four coloured pixels">
<figcaption>Listing ${number}-1: the words, counted &mdash; see &ldquo;<a href="#first-steps">first steps</a>&rdquo;</figcaption>
</figure>

\`\`\`rust,ignore
{{#include ../listings/words.rs:14:17}}
\`\`\`

\`\`\`toml
[package]
name = "words"
version = "0.1.0"
\`\`\`

\`\`\`console
$ cargo run
   Compiling words v0.1.0
\`\`\`

[docs]: https://doc.rust-lang.org/std/ "The standard library"
[^note]: A footnote with a [link back](#first-steps).
`;
}

function longChapter() {
  const paragraphs = Array.from(
    { length: LONG_CHAPTER_PARAGRAPHS },
    (_, index) =>
      `Paragraph ${index + 1} of a long chapter repeats itself, as long texts do, with *a phrase* ` +
      `and \`code\` in it, so that deflate finds matches at every distance it looks at. ` +
      `Words number ${index * 7} and ${index * 13} differ from one paragraph to the next.\n`,
  );
  return `# A long chapter\n\n${paragraphs.join('\n')}`;
}

const DIAGRAM = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
<rect x="1" y="1" width="118" height="38" fill="none" stroke="black"/>
<text x="60" y="25" text-anchor="middle" font-size="14">words</text>
</svg>
`;

/** A 4 by 4 RGB PNG. */
const PIXELS_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAGElEQVR42mNgsKnY8kEnY8kDmYgpDMRxAC8CFeEB46g+AAAAAElFTkSuQmCC';

/** Returns the book's files as the worker's requests carry them: { path, bytes, modified }. */
export function warmUpBook() {
  const texts = [
    ['book.toml', '[book]\ntitle = "Warming up"\nauthors = ["Quire"]\nlanguage = "en"\n'],
    [
      'src/SUMMARY.md',
      '# Summary\n\n' +
        Array.from({ length: CHAPTERS }, (_, index) => `- [Chapter ${index + 1}](chapter-${index + 1}.md)\n`).join('') +
        '- [A long chapter](long.md)\n',
    ],
    ['listings/words.rs', RUST_LISTING],
    ['src/long.md', longChapter()],
  ];
  for (let number = 1; number <= CHAPTERS; number += 1) {
    texts.push([`src/chapter-${number}.md`, chapter(number)]);
    texts.push([`src/img/diagram-${number}.svg`, DIAGRAM]);
  }
  for (let number = 1; number <= UNUSED_FILES; number += 1) {
    texts.push([`listings/ch${Math.ceil(number / 30)}/listing-${number}/src/main.rs`, `fn main() { /* ${number} */ }\n`]);
  }
  const files = texts.map(([path, text]) => ({ path, bytes: encoder.encode(text), modified: 0 }));
  const png = Uint8Array.from(atob(PIXELS_PNG), (char) => char.charCodeAt(0));
  files.push({ path: 'src/img/pixels.png', bytes: png, modified: 0 });
  return files;
}
