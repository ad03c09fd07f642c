"""Common option names and values (Color: Black, Size…) in the shopper's language. Sellers write options in
their own words, usually English; a word in this glossary is shown translated, anything else exactly as the
seller wrote it. Matching ignores case and surrounding spaces, and "White/Red" is read part by part."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

OPTION_NAMES = {
    "color": _l("Color"), "colour": _l("Color"), "size": _l("Size"), "set": _l("Set"), "kit": _l("Kit"),
    "length": _l("Length"), "plug": _l("Plug"), "pack": _l("Pack"), "scent": _l("Scent"), "model": _l("Model"),
    "weight": _l("Weight"), "capacity": _l("Capacity"), "theme": _l("Theme"), "light color": _l("Light color"),
    "strap": _l("Strap"), "width": _l("Width"), "finish": _l("Finish"), "case color": _l("Case color"),
    "storage": _l("Storage"), "material": _l("Material"), "style": _l("Style"), "type": _l("Type"),
    "pattern": _l("Pattern"), "shoe size": _l("Shoe size"),
}

OPTION_VALUES = {
    "black": _l("Black"), "white": _l("White"), "navy": _l("Navy"), "blue": _l("Blue"), "silver": _l("Silver"),
    "green": _l("Green"), "brown": _l("Brown"), "red": _l("Red"), "beige": _l("Beige"), "pink": _l("Pink"),
    "grey": _l("Grey"), "gray": _l("Grey"), "olive": _l("Olive"), "gold": _l("Gold"), "burgundy": _l("Burgundy"),
    "cream": _l("Cream"), "sand": _l("Sand"), "indigo": _l("Indigo"), "teal": _l("Teal"), "purple": _l("Purple"),
    "natural": _l("Natural"), "ivory": _l("Ivory"), "dark blue": _l("Dark blue"), "light blue": _l("Light blue"),
    "tan": _l("Tan"), "orange": _l("Orange"), "yellow": _l("Yellow"), "maroon": _l("Maroon"),
    "dark brown": _l("Dark brown"), "rose gold": _l("Rose gold"), "transparent": _l("Transparent"),
    "clear": _l("Clear"), "multicolor": _l("Multicolor"), "space grey": _l("Space grey"),
    "space gray": _l("Space grey"), "dark grey": _l("Dark grey"), "dark gray": _l("Dark grey"),
    "light grey": _l("Light grey"), "light gray": _l("Light grey"),
}


def _lookup(text: str, table: dict) -> str:
    """The glossary's word for `text` in the language being rendered (Flask-Babel's locale: the shopper's,
    or an email's), else the seller's own text."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return text  # the glossary is English: English readers get the seller's own spelling
    found = table.get(text.strip().casefold())
    if found is not None:
        return str(found)
    if "/" in text:
        return "/".join(_lookup(part, table) for part in text.split("/"))
    return text


def option_name(text: str) -> str:
    """An option's name ("Color") in the current language, or as the seller wrote it."""
    return _lookup(text or "", OPTION_NAMES)


def option_value(text: str) -> str:
    """An option's value ("Black", "White/Red") in the current language, or as the seller wrote it."""
    return _lookup(text or "", OPTION_VALUES)


def option_values(options: dict | None) -> str:
    """A variant's option values as one short text ("Negro / L")."""
    return " / ".join(option_value(str(value)) for value in (options or {}).values())


def init_option_labels(app) -> None:
    """Give templates `option_label(name)`, `option_text(value)` and `options_text(options)`."""
    app.add_template_global(option_name, "option_label")
    app.add_template_global(option_value, "option_text")
    app.add_template_filter(option_value, "option_text")
    app.add_template_global(option_values, "options_text")
