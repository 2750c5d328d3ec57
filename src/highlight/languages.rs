//! The syntax tables of the programming languages the generic tokenizer
//! reads: keywords, built-in types and functions, literals, comments,
//! strings, and the few features that need code of their own.

use super::{Class, Language};

/// A kind of string delimiter.
pub struct Quote {
    pub open: &'static str,
    pub close: &'static str,
    /// The byte that escapes the next character, if any.
    pub escape: Option<u8>,
    /// Whether the string may run over several lines; a single-line
    /// string left open ends at the end of its line.
    pub multiline: bool,
    pub class: Class,
}

/// A programming language's tokens, as the generic tokenizer reads them.
pub struct Syntax {
    pub keywords: &'static [&'static str],
    /// Built-in types and functions.
    pub types: &'static [&'static str],
    /// Named literal constants, such as `true` and `null`.
    pub literals: &'static [&'static str],
    /// Whether keywords match in any case (SQL).
    pub ignore_case: bool,
    pub line_comments: &'static [&'static str],
    pub block_comment: Option<(&'static str, &'static str)>,
    /// Whether block comments nest (Rust, Swift, Kotlin).
    pub nested_comments: bool,
    /// String delimiters, longest first where one starts another.
    pub quotes: &'static [Quote],
    /// Words that may come directly before a quote as part of the string,
    /// such as Python's `rb` or C's `L`.
    pub string_prefixes: &'static [&'static str],
    /// The letter that makes a prefixed string raw, without escapes.
    pub raw_prefix_letter: Option<u8>,
    /// Whether capitalised names are types (Rust, Java, and the like).
    pub capitalized_types: bool,
    /// Whether numbers are literals. Shell words that start with digits are
    /// not numbers.
    pub numbers: bool,
    /// Bytes besides identifier characters that belong to words, such as
    /// `$` in JavaScript or `-` in shell options.
    pub word_bytes: &'static [u8],
    /// The byte after a string that makes it a key (`:` in JSON).
    pub key_separator: Option<u8>,
    /// `#include` and other directives at the start of a line.
    pub hash_directives: bool,
    /// `@Annotation` and `@decorator`.
    pub annotations: bool,
    /// Rust's raw strings, character literals, lifetimes, attributes and
    /// macros.
    pub rust: bool,
    /// C++ raw strings, `R"x(...)x"`.
    pub cpp_raw_strings: bool,
    /// Ruby's `@variable`, `$global` and `:symbol`.
    pub sigils: bool,
    /// Shell parameter expansion (`$x`) and comments only at word starts.
    pub shell: bool,
}

#[rustfmt::skip]
const BASE: Syntax = Syntax {
    keywords: &[],
    types: &[],
    literals: &[],
    ignore_case: false,
    line_comments: &[],
    block_comment: None,
    nested_comments: false,
    quotes: &[],
    string_prefixes: &[],
    raw_prefix_letter: None,
    capitalized_types: false,
    numbers: true,
    word_bytes: &[],
    key_separator: None,
    hash_directives: false,
    annotations: false,
    rust: false,
    cpp_raw_strings: false,
    sigils: false,
    shell: false,
};

const fn quote(
    open: &'static str,
    close: &'static str,
    escape: Option<u8>,
    multiline: bool,
) -> Quote {
    Quote {
        open,
        close,
        escape,
        multiline,
        class: Class::String,
    }
}

// The tables below skip rustfmt, which would put one word a line.

const DOUBLE: Quote = quote("\"", "\"", Some(b'\\'), false);
const SINGLE: Quote = quote("'", "'", Some(b'\\'), false);
const C_COMMENT: Option<(&str, &str)> = Some(("/*", "*/"));

#[rustfmt::skip]
const RUST: Syntax = Syntax {
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "self", "static", "struct", "super", "trait", "type", "union",
        "unsafe", "use", "where", "while", "yield",
    ],
    types: &[
        "bool", "char", "f32", "f64", "i128", "i16", "i32", "i64", "i8", "isize", "str", "u128",
        "u16", "u32", "u64", "u8", "usize",
    ],
    literals: &["false", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    nested_comments: true,
    quotes: &[quote("\"", "\"", Some(b'\\'), true)],
    string_prefixes: &["b", "c"],
    capitalized_types: true,
    rust: true,
    ..BASE
};

#[rustfmt::skip]
const C_KEYWORDS: &[&str] = &[
    "break", "case", "const", "continue", "default", "do", "else", "enum", "extern", "for", "goto",
    "if", "inline", "register", "restrict", "return", "sizeof", "static", "struct", "switch",
    "typedef", "union", "volatile", "while",
];

#[rustfmt::skip]
const C_TYPES: &[&str] = &[
    "bool", "char", "double", "float", "int", "int16_t", "int32_t", "int64_t", "int8_t", "long",
    "ptrdiff_t", "short", "signed", "size_t", "ssize_t", "uint16_t", "uint32_t", "uint64_t",
    "uint8_t", "uintptr_t", "unsigned", "void", "wchar_t",
];

#[rustfmt::skip]
const C: Syntax = Syntax {
    keywords: C_KEYWORDS,
    types: C_TYPES,
    literals: &["NULL", "false", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: &[DOUBLE, SINGLE],
    string_prefixes: &["L", "u", "U", "u8"],
    hash_directives: true,
    ..BASE
};

#[rustfmt::skip]
const CPP: Syntax = Syntax {
    keywords: &[
        "alignas", "alignof", "auto", "break", "case", "catch", "class", "co_await",
        "co_return", "co_yield", "concept", "const", "const_cast", "consteval", "constexpr",
        "constinit", "continue", "decltype", "default", "delete", "do", "dynamic_cast", "else",
        "enum", "explicit", "export", "extern", "final", "for", "friend", "goto", "if",
        "inline", "mutable", "namespace", "new", "noexcept", "operator", "override", "private",
        "protected", "public", "reinterpret_cast", "requires", "return", "sizeof", "static",
        "static_assert", "static_cast", "struct", "switch", "template", "this", "throw", "try",
        "typedef", "typeid", "typename", "union", "using", "virtual", "volatile", "while",
    ],
    types: &[
        "bool", "char", "char16_t", "char32_t", "char8_t", "double", "float", "int", "int64_t",
        "long", "short", "signed", "size_t", "std", "string", "uint64_t", "uint8_t", "unsigned",
        "vector", "void", "wchar_t",
    ],
    literals: &["NULL", "false", "nullptr", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: &[DOUBLE, SINGLE],
    string_prefixes: &["L", "u", "U", "u8"],
    hash_directives: true,
    cpp_raw_strings: true,
    ..BASE
};

#[rustfmt::skip]
const JAVA: Syntax = Syntax {
    keywords: &[
        "abstract", "assert", "break", "case", "catch", "class", "const", "continue", "default",
        "do", "else", "enum", "extends", "final", "finally", "for", "goto", "if", "implements",
        "import", "instanceof", "interface", "native", "new", "non-sealed", "package",
        "permits", "private", "protected", "public", "record", "return", "sealed", "static",
        "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient",
        "try", "var", "void", "volatile", "while", "yield",
    ],
    types: &[
        "boolean", "byte", "char", "double", "float", "int", "long", "short",
    ],
    literals: &["false", "null", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: &[quote("\"\"\"", "\"\"\"", Some(b'\\'), true), DOUBLE, SINGLE],
    capitalized_types: true,
    annotations: true,
    ..BASE
};

#[rustfmt::skip]
const JAVASCRIPT_KEYWORDS: &[&str] = &[
    "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "export", "extends", "finally", "for", "from",
    "function", "get", "if", "import", "in", "instanceof", "let", "new", "of", "return", "set",
    "static", "super", "switch", "this", "throw", "try", "typeof", "var", "void", "while",
    "with", "yield",
];

const JAVASCRIPT_QUOTES: &[Quote] = &[quote("`", "`", Some(b'\\'), true), DOUBLE, SINGLE];

#[rustfmt::skip]
const JAVASCRIPT: Syntax = Syntax {
    keywords: JAVASCRIPT_KEYWORDS,
    types: &["console", "document", "globalThis", "window"],
    literals: &["Infinity", "NaN", "false", "null", "true", "undefined"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: JAVASCRIPT_QUOTES,
    capitalized_types: true,
    word_bytes: b"$",
    ..BASE
};

#[rustfmt::skip]
const TYPESCRIPT: Syntax = Syntax {
    keywords: &[
        "abstract", "as", "async", "await", "break", "case", "catch", "class", "const",
        "continue", "declare", "default", "delete", "do", "else", "enum", "export", "extends",
        "finally", "for", "from", "function", "get", "if", "implements", "import", "in",
        "infer", "instanceof", "interface", "is", "keyof", "let", "namespace", "new", "of",
        "private", "protected", "public", "readonly", "return", "satisfies", "set", "static",
        "super", "switch", "this", "throw", "try", "type", "typeof", "var", "void", "while",
        "yield",
    ],
    types: &[
        "any", "bigint", "boolean", "never", "number", "object", "string", "symbol", "unknown",
    ],
    literals: &["Infinity", "NaN", "false", "null", "true", "undefined"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: JAVASCRIPT_QUOTES,
    capitalized_types: true,
    word_bytes: b"$",
    annotations: true,
    ..BASE
};

#[rustfmt::skip]
const PYTHON: Syntax = Syntax {
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return", "try",
        "while", "with", "yield",
    ],
    types: &[
        "bool", "bytes", "dict", "float", "int", "isinstance", "len", "list", "object", "print",
        "range", "self", "set", "str", "super", "tuple", "type",
    ],
    literals: &["False", "None", "True"],
    line_comments: &["#"],
    quotes: &[
        quote("\"\"\"", "\"\"\"", Some(b'\\'), true),
        quote("'''", "'''", Some(b'\\'), true),
        DOUBLE,
        SINGLE,
    ],
    string_prefixes: &["b", "br", "f", "fr", "r", "rb", "rf", "u"],
    raw_prefix_letter: Some(b'r'),
    capitalized_types: true,
    annotations: true,
    ..BASE
};

#[rustfmt::skip]
const GO: Syntax = Syntax {
    keywords: &[
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
        "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
        "return", "select", "struct", "switch", "type", "var",
    ],
    types: &[
        "any", "append", "bool", "byte", "cap", "close", "complex128", "complex64", "copy",
        "delete", "error", "float32", "float64", "int", "int16", "int32", "int64", "int8",
        "len", "make", "new", "panic", "print", "println", "recover", "rune", "string", "uint",
        "uint16", "uint32", "uint64", "uint8", "uintptr",
    ],
    literals: &["false", "iota", "nil", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: &[quote("`", "`", None, true), DOUBLE, SINGLE],
    ..BASE
};

#[rustfmt::skip]
const RUBY: Syntax = Syntax {
    keywords: &[
        "BEGIN", "END", "alias", "and", "begin", "break", "case", "class", "def", "defined?", "do",
        "else", "elsif", "end", "ensure", "for", "if", "in", "module", "next", "not", "or", "redo",
        "rescue", "retry", "return", "self", "super", "then", "undef", "unless", "until", "when",
        "while", "yield",
    ],
    types: &[
        "attr_accessor", "attr_reader", "attr_writer", "include", "extend", "lambda", "proc",
        "puts", "raise", "require", "require_relative",
    ],
    literals: &["false", "nil", "true"],
    line_comments: &["#"],
    quotes: &[
        quote("\"", "\"", Some(b'\\'), true),
        quote("'", "'", Some(b'\\'), true),
    ],
    capitalized_types: true,
    sigils: true,
    ..BASE
};

#[rustfmt::skip]
const SHELL: Syntax = Syntax {
    keywords: &[
        "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in",
        "select", "then", "until", "while",
    ],
    types: &[
        "alias", "cd", "echo", "eval", "exec", "exit", "export", "local", "printf", "read",
        "readonly", "return", "set", "shift", "source", "test", "trap", "unset",
    ],
    literals: &["false", "true"],
    line_comments: &["#"],
    quotes: &[
        quote("\"", "\"", Some(b'\\'), true),
        quote("'", "'", None, true),
    ],
    numbers: false,
    word_bytes: b"-./",
    shell: true,
    ..BASE
};

#[rustfmt::skip]
const SQL: Syntax = Syntax {
    keywords: &[
        "add", "all", "alter", "and", "as", "asc", "begin", "between", "by", "case", "check",
        "column", "commit", "constraint", "create", "cross", "database", "default", "delete",
        "desc", "distinct", "drop", "else", "end", "exists", "foreign", "from", "full", "group",
        "having", "if", "in", "index", "inner", "insert", "into", "is", "join", "key", "left",
        "like", "limit", "not", "offset", "on", "or", "order", "outer", "primary", "references",
        "replace", "returning", "right", "rollback", "select", "set", "table", "then",
        "transaction", "union", "unique", "update", "using", "values", "view", "when", "where",
        "with",
    ],
    types: &[
        "bigint", "blob", "boolean", "char", "date", "decimal", "float", "int", "integer",
        "numeric", "real", "serial", "smallint", "text", "timestamp", "varchar",
    ],
    literals: &["false", "null", "true"],
    ignore_case: true,
    line_comments: &["--"],
    block_comment: C_COMMENT,
    quotes: &[
        quote("'", "'", None, true),
        Quote {
            class: Class::Attribute,
            ..quote("\"", "\"", None, false)
        },
        Quote {
            class: Class::Attribute,
            ..quote("`", "`", None, false)
        },
    ],
    ..BASE
};

#[rustfmt::skip]
const JSON: Syntax = Syntax {
    literals: &["false", "null", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: &[DOUBLE],
    key_separator: Some(b':'),
    ..BASE
};

#[rustfmt::skip]
const KOTLIN: Syntax = Syntax {
    keywords: &[
        "abstract", "as", "break", "by", "catch", "class", "companion", "const", "constructor",
        "continue", "data", "do", "else", "enum", "finally", "for", "fun", "get", "if",
        "import", "in", "init", "inline", "interface", "internal", "is", "lateinit", "object",
        "open", "operator", "out", "override", "package", "private", "protected", "public",
        "return", "sealed", "set", "super", "suspend", "this", "throw", "try", "typealias",
        "val", "var", "when", "where", "while",
    ],
    types: &["listOf", "mapOf", "println", "setOf"],
    literals: &["false", "null", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    nested_comments: true,
    quotes: &[quote("\"\"\"", "\"\"\"", None, true), DOUBLE, SINGLE],
    capitalized_types: true,
    annotations: true,
    ..BASE
};

#[rustfmt::skip]
const SWIFT: Syntax = Syntax {
    keywords: &[
        "actor", "as", "associatedtype", "async", "await", "break", "case", "catch", "class",
        "continue", "default", "defer", "deinit", "do", "else", "enum", "extension",
        "fallthrough", "fileprivate", "final", "for", "func", "guard", "if", "import", "in",
        "init", "inout", "internal", "is", "let", "mutating", "open", "operator", "override",
        "private", "protocol", "public", "repeat", "rethrows", "return", "self", "some",
        "static", "struct", "subscript", "super", "switch", "throw", "throws", "try",
        "typealias", "var", "where", "while",
    ],
    types: &["print"],
    literals: &["false", "nil", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    nested_comments: true,
    quotes: &[quote("\"\"\"", "\"\"\"", Some(b'\\'), true), DOUBLE],
    capitalized_types: true,
    hash_directives: true,
    annotations: true,
    ..BASE
};

#[rustfmt::skip]
const CSHARP: Syntax = Syntax {
    keywords: &[
        "abstract", "as", "async", "await", "base", "break", "case", "catch", "checked",
        "class", "const", "continue", "default", "delegate", "do", "else", "enum", "event",
        "explicit", "extern", "finally", "fixed", "for", "foreach", "get", "goto", "if",
        "implicit", "in", "init", "interface", "internal", "is", "lock", "namespace", "new",
        "operator", "out", "override", "params", "partial", "private", "protected", "public",
        "readonly", "record", "ref", "return", "sealed", "set", "sizeof", "stackalloc",
        "static", "struct", "switch", "this", "throw", "try", "typeof", "unchecked", "unsafe",
        "using", "var", "virtual", "void", "volatile", "when", "where", "while", "yield",
    ],
    types: &[
        "bool", "byte", "char", "decimal", "double", "dynamic", "float", "int", "long", "nint",
        "object", "sbyte", "short", "string", "uint", "ulong", "ushort",
    ],
    literals: &["false", "null", "true"],
    line_comments: &["//"],
    block_comment: C_COMMENT,
    quotes: &[
        quote("\"\"\"", "\"\"\"", None, true),
        quote("@\"", "\"", None, true),
        quote("$\"", "\"", Some(b'\\'), false),
        DOUBLE,
        SINGLE,
    ],
    capitalized_types: true,
    hash_directives: true,
    ..BASE
};

/// Returns the syntax table of a programming language, or `None` for the
/// languages that have tokenizers of their own.
pub fn syntax(language: Language) -> Option<&'static Syntax> {
    let syntax = match language {
        Language::Rust => &RUST,
        Language::C => &C,
        Language::Cpp => &CPP,
        Language::CSharp => &CSHARP,
        Language::Go => &GO,
        Language::Java => &JAVA,
        Language::JavaScript => &JAVASCRIPT,
        Language::Kotlin => &KOTLIN,
        Language::Python => &PYTHON,
        Language::Ruby => &RUBY,
        Language::Shell => &SHELL,
        Language::Sql => &SQL,
        Language::Swift => &SWIFT,
        Language::TypeScript => &TYPESCRIPT,
        Language::Json => &JSON,
        Language::Console | Language::Markup | Language::Css | Language::Yaml | Language::Toml => {
            return None;
        }
    };
    Some(syntax)
}

#[cfg(test)]
mod tests {
    use super::super::LANGUAGES;
    use super::*;

    /// Returns each name with the syntax table of its language, if any.
    fn syntaxes() -> impl Iterator<Item = (&'static str, &'static Syntax)> {
        LANGUAGES
            .iter()
            .filter_map(|(name, language)| Some((*name, syntax(*language)?)))
    }

    #[test]
    fn word_lists_have_no_repeats() {
        for (name, syntax) in syntaxes() {
            for list in [syntax.keywords, syntax.types, syntax.literals] {
                let mut sorted = list.to_vec();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(sorted.len(), list.len(), "{name}: a word is listed twice");
            }
        }
    }

    #[test]
    fn words_in_one_list_each() {
        for (name, syntax) in syntaxes() {
            for keyword in syntax.keywords {
                assert!(
                    !syntax.literals.contains(keyword),
                    "{name}: {keyword} is a keyword and a literal"
                );
            }
        }
    }
}
