// The chapter preview: one chapter of the converted book at a time, in a
// shadow root of #preview so the book's stylesheets and ids cannot touch the
// page. Images come from the user's own files as blob: URLs, and links never
// leave the page: links within the book switch chapters and scroll, and
// links out of it are made inert.

import { extensionOf } from './files.js';
import { parseXml } from './trusted-types.js';

const XHTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';
const OPS_NAMESPACE = 'http://www.idpf.org/2007/ops';
const XLINK_NAMESPACE = 'http://www.w3.org/1999/xlink';

/** A base for resolving the book's relative URLs; the host is never contacted. */
const BOOK_BASE = 'https://book.invalid/';

/** The namespace the body is parsed in, so that its elements stay inert XML. */
const SOURCE_NAMESPACE = 'urn:x-quire:preview-source';
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
const MATHML_NAMESPACE = 'http://www.w3.org/1998/Math/MathML';

/** Elements that must never reach the page, even though the engine already leaves them out. */
const REMOVED_ELEMENTS = new Set([
  'script', 'iframe', 'frame', 'object', 'embed', 'applet', 'base', 'link', 'meta', 'style', 'form',
]);

/** The preview's own layout rules, applied before the book's stylesheets. */
const PREVIEW_CSS = `
  :host { display: block; }
  article { overflow-wrap: break-word; }
  img, svg, video { max-width: 100%; height: auto; }
  pre { overflow-x: auto; }
  table { display: block; overflow-x: auto; }
  a.inert-link { cursor: not-allowed; }
  /* A vertical book scrolls within the article, whose scroll origin is then
     on the right, where its text starts. */
  article.vertical { writing-mode: vertical-rl; height: 60vh; max-width: 100%; overflow-x: auto; }
  .placeholder { margin: 0; opacity: 0.8; }
`;

export class Preview {
  #container;
  #select;
  #root;
  #article;
  /** Returns the user's File at a book path, or undefined. */
  #fileAt;
  #chapters = [];
  /** The chapters' bodies as UTF-8, each at the byte range its chapter gives. */
  #bodies = new Uint8Array();
  /** Each image's input path by its decoded href in the EPUB. */
  #imagePaths = new Map();
  /** blob: URLs made for input files, by path; revoked when the book changes. */
  #blobUrls = new Map();
  #sheets = [];

  constructor(container, select, fileAt) {
    this.#container = container;
    this.#select = select;
    this.#fileAt = fileAt;
    this.#root = container.attachShadow({ mode: 'open' });
    this.#article = document.createElement('article');
    this.#root.append(this.#article);
    this.#showPlaceholder();

    select.addEventListener('change', () => this.#render(Number(select.value)));
    this.#root.addEventListener('click', (event) => this.#handleLinkClick(event));
    // Middle clicks would open a link in a new tab.
    this.#root.addEventListener('auxclick', (event) => {
      if (event.target.closest?.('a')) {
        event.preventDefault();
      }
    });
  }

  /** Shows the first chapter of a `convert` result, replacing any earlier book. */
  show(result) {
    this.clear();
    this.#chapters = result.chapters;
    this.#bodies = result.bodies;
    // The book's documents carry its language and direction on <html>,
    // which the preview has not, so the article takes them.
    this.#article.lang = result.lang;
    this.#article.dir = result.dir;
    this.#article.classList.toggle('vertical', result.vertical);
    this.#imagePaths = new Map(result.images.map(({ href, path }) => [decodePath(href), path]));
    this.#sheets = result.stylesheets.map(({ href, content }) => this.#createSheet(href, content));

    const base = new CSSStyleSheet();
    base.replaceSync(PREVIEW_CSS);
    this.#root.adoptedStyleSheets = [base, ...this.#sheets];

    this.#select.replaceChildren(
      ...this.#chapters.map((chapter, index) => new Option(chapter.title || chapter.href, String(index))),
    );
    this.#select.disabled = this.#chapters.length === 0;
    if (this.#chapters.length > 0) {
      this.#render(0);
    }
  }

  /** Empties the preview and frees the blob: URLs it made. */
  clear() {
    for (const url of this.#blobUrls.values()) {
      URL.revokeObjectURL(url);
    }
    this.#blobUrls.clear();
    this.#chapters = [];
    this.#bodies = new Uint8Array();
    this.#article.removeAttribute('lang');
    this.#article.removeAttribute('dir');
    this.#article.classList.remove('vertical');
    this.#showPlaceholder();
    this.#select.replaceChildren();
    this.#select.disabled = true;
  }

  #showPlaceholder() {
    const placeholder = document.createElement('p');
    placeholder.className = 'placeholder';
    placeholder.textContent = 'Make the EPUB to see its chapters here.';
    this.#article.replaceChildren(placeholder);
  }

  #render(index, fragment = '') {
    const chapter = this.#chapters[index];
    if (!chapter) {
      return;
    }
    this.#select.value = String(index);
    this.#article.replaceChildren(...this.#importBody(chapter));
    this.#scrollTo(fragment);
  }

  /**
   * Parses a chapter's body and copies it into this document, leaving out
   * what must not run and mapping images and links.
   *
   * The body is parsed in a namespace of its own, so the parsed elements are
   * inert XML rather than HTML: HTML elements parsed with style attributes
   * would break the page's Content-Security-Policy (style-src 'self'). The
   * copies are HTML, SVG or MathML elements, and take their style attributes
   * through the CSSOM, which the policy allows.
   */
  #importBody(chapter) {
    const text = new TextDecoder().decode(this.#bodies.subarray(chapter.bodyStart, chapter.bodyEnd));
    const markup =
      `<body xmlns="${SOURCE_NAMESPACE}" xmlns:epub="${OPS_NAMESPACE}" xmlns:xlink="${XLINK_NAMESPACE}">` +
      `${text}</body>`;
    const parsed = parseXml(markup);
    const body = parsed.documentElement;
    if (parsed.getElementsByTagName('parsererror').length > 0 || body.localName !== 'body') {
      const message = document.createElement('p');
      message.textContent = `This chapter (${chapter.href}) could not be shown: its XHTML did not parse. The EPUB itself may still be fine.`;
      return [message];
    }

    const copy = document.createDocumentFragment();
    // An explicit stack rather than recursion, because a chapter's nesting
    // depth is up to its author.
    const stack = [...body.childNodes].reverse().map((node) => [node, copy, XHTML_NAMESPACE]);
    while (stack.length > 0) {
      const [node, parent, parentNamespace] = stack.pop();
      if (node.nodeType === Node.TEXT_NODE || node.nodeType === Node.CDATA_SECTION_NODE) {
        parent.append(node.data);
      } else if (node.nodeType === Node.ELEMENT_NODE && !REMOVED_ELEMENTS.has(node.localName)) {
        const element = this.#copyElement(node, parentNamespace, chapter.href);
        parent.append(element);
        for (const child of [...node.childNodes].reverse()) {
          stack.push([child, element, element.namespaceURI]);
        }
      }
    }
    return [copy];
  }

  /** Creates this document's copy of a parsed element, without its children. */
  #copyElement(source, parentNamespace, chapterHref) {
    const element = document.createElementNS(copyNamespace(source, parentNamespace), source.localName);
    let style = null;
    for (const attribute of source.attributes) {
      const name = attribute.localName.toLowerCase();
      if (name.startsWith('on') || /^\s*javascript:/i.test(attribute.value)) {
        continue;
      }
      if (name === 'style' && attribute.namespaceURI === null) {
        style = attribute.value;
        continue;
      }
      element.setAttributeNS(attribute.namespaceURI, attribute.name, attribute.value);
    }
    if (style) {
      element.style.cssText = style;
    }

    const tag = element.localName;
    if (tag === 'img') {
      this.#mapImage(element, 'src', null, chapterHref);
      element.removeAttribute('srcset');
    } else if (tag === 'image') {
      this.#mapImage(element, 'href', null, chapterHref);
      this.#mapImage(element, 'href', XLINK_NAMESPACE, chapterHref);
    } else if (tag === 'a' && element.hasAttribute('href')) {
      this.#prepareLink(element, chapterHref);
    }
    return element;
  }

  /** Points an image at the user's file, or removes the source when it is not one of the book's images. */
  #mapImage(element, attribute, namespace, chapterHref) {
    const source = element.getAttributeNS(namespace, attribute);
    if (source === null || source.startsWith('data:')) {
      return;
    }
    const url = this.#blobUrlFor(bookPath(source, chapterHref));
    if (url) {
      element.setAttributeNS(namespace, attribute, url);
    } else {
      element.removeAttributeNS(namespace, attribute);
    }
  }

  /** Marks a link as within the book (it switches chapters) or makes it inert. */
  #prepareLink(link, chapterHref) {
    const target = new URL(link.getAttribute('href'), BOOK_BASE + chapterHref);
    if (target.origin === new URL(BOOK_BASE).origin) {
      link.dataset.bookPath = decodePath(target.pathname.slice(1));
      link.dataset.fragment = decodePath(target.hash.slice(1));
      return;
    }
    link.title = `Links out of the book do not open in the preview: ${target.href}`;
    link.classList.add('inert-link');
    link.dataset.external = 'true';
  }

  #handleLinkClick(event) {
    const link = event.target.closest?.('a[href]');
    if (!link) {
      return;
    }
    event.preventDefault();
    if (link.dataset.external) {
      return;
    }

    const index = this.#chapters.findIndex((chapter) => decodePath(chapter.href) === link.dataset.bookPath);
    if (index === -1) {
      return;
    }
    if (index === Number(this.#select.value)) {
      this.#scrollTo(link.dataset.fragment);
    } else {
      this.#render(index, link.dataset.fragment);
    }
  }

  #scrollTo(fragment) {
    const target = fragment ? this.#root.getElementById(fragment) : null;
    if (target) {
      target.scrollIntoView({ block: 'start' });
    } else {
      this.#container.scrollTop = 0;
    }
  }

  /** Makes a stylesheet whose url() references point at the user's images, or at nothing. */
  #createSheet(href, content) {
    // replaceSync rejects @import rules with a console warning, and a preview
    // could not follow them anyway.
    const withoutImports = content.replace(/@import[^;]*;/gi, '');
    const rewritten = withoutImports.replace(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi, (match, quote, reference) => {
      const url = this.#blobUrlFor(bookPath(reference, href));
      return url ? `url("${url}")` : 'none';
    });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(rewritten);
    return sheet;
  }

  /** Returns a blob: URL for the input file behind a book href, or null. */
  #blobUrlFor(href) {
    const path = this.#imagePaths.get(href);
    if (path === undefined) {
      return null;
    }
    let url = this.#blobUrls.get(path);
    if (!url) {
      const file = this.#fileAt(path);
      if (!file) {
        return null;
      }
      url = URL.createObjectURL(withImageType(file, path));
      this.#blobUrls.set(path, url);
    }
    return url;
  }
}

/**
 * Returns the namespace for the copy of a parsed element. Elements without
 * a namespace of their own are XHTML, except that `svg` and `math` (and
 * everything inside them) are SVG and MathML, as an HTML parser would make them.
 */
function copyNamespace(source, parentNamespace) {
  if (source.namespaceURI !== SOURCE_NAMESPACE) {
    return source.namespaceURI;
  }
  if (parentNamespace !== XHTML_NAMESPACE) {
    return parentNamespace;
  }
  if (source.localName === 'svg') {
    return SVG_NAMESPACE;
  }
  if (source.localName === 'math') {
    return MATHML_NAMESPACE;
  }
  return XHTML_NAMESPACE;
}

/**
 * Returns the file typed by its extension when the browser gave it no type:
 * an SVG image served from a blob: URL without image/svg+xml does not show.
 */
function withImageType(file, path) {
  if (file.type || extensionOf(path) !== 'svg') {
    return file;
  }
  return new Blob([file], { type: 'image/svg+xml' });
}

/** Resolves a relative reference against a document's href in the book, such as `text/ch1.xhtml`. */
function bookPath(reference, documentHref) {
  if (reference.startsWith('data:') || reference.startsWith('blob:')) {
    return null;
  }
  const url = new URL(reference, BOOK_BASE + documentHref);
  if (url.origin !== new URL(BOOK_BASE).origin) {
    return null;
  }
  return decodePath(url.pathname.slice(1));
}

/** Decodes percent escapes, keeping a path with a malformed escape as it is. */
function decodePath(path) {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
