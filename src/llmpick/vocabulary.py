"""Names people type for languages and domains, and the names we print for them."""

from __future__ import annotations

# ISO 639-1 code -> English name (the languages model cards most often list)
LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "ms": "Malay",
    "nb": "Norwegian Bokmål",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
_LANGUAGE_WORDS = {name.lower(): code for code, name in LANGUAGES.items()} | {
    "deutsch": "de",
    "german": "de",
    "français": "fr",
    "francais": "fr",
    "español": "es",
    "espanol": "es",
    "mandarin": "zh",
    "chinese": "zh",
    "norwegian": "no",
    "farsi": "fa",
    "filipino": "tl",
    "brazilian portuguese": "pt",
    "cantonese": "zh",
}

DOMAIN_WORDS: dict[str, str] = {
    "medical": "biomedical",
    "medicine": "biomedical",
    "clinical": "biomedical",
    "health": "biomedical",
    "healthcare": "biomedical",
    "biology": "biomedical",
    "programming": "code",
    "coding": "code",
    "software": "code",
    "law": "legal",
    "financial": "finance",
    "maths": "math",
    "mathematics": "math",
    "scientific": "science",
    "chit-chat": "dialogue",
}


def language_code(text: str) -> str | None:
    """The ISO 639-1 code for a language code or name ('de', 'German', 'deutsch')."""
    t = text.strip().lower().replace("_", "-")
    if t in LANGUAGES:
        return t
    base = t.split("-")[0].split(" (")[0].strip()  # pt-BR, zh-Hant, Chinese (Traditional)
    if base in LANGUAGES:
        return base
    return _LANGUAGE_WORDS.get(t) or _LANGUAGE_WORDS.get(base)


def language_name(code: str) -> str:
    """'German' for 'de'; the code itself when we have no name for it."""
    return LANGUAGES.get(code, code)
