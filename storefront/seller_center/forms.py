"""Seller-center forms: a listing (product, texts, photos, variants, shipping) and the bulk upload.

The listing form only holds what the seller typed; the rules are parse_listing's. Its messages
(English, naming a listing key such as "variants[1].price") are turned back into translated errors
on the right fields by `show_listing_error`.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Form
from wtforms.fields import FieldList, FormField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..catalog.listings import MAX_IMAGES as MAX_LISTING_IMAGES
from ..catalog.listings import MAX_VARIANTS
from ..config import CURRENCIES, LOCALES
from ..core.i18n import country_choices, currency_choices, language_name
from ..sellers.images import MAX_BYTES, MAX_IMAGES, MAX_PIXELS, NOT_AN_IMAGE, TOO_LARGE, TOO_MANY_PIXELS
from .listings import OPTION_SLOTS

IMAGE_TYPES = "image/jpeg,image/png,image/webp"


class OptionForm(Form):
    """One option of a variant, e.g. Color = Black."""

    name = StringField(_l("Option name"), render_kw={"maxlength": 40, "placeholder": _l("e.g. Color")})
    value = StringField(_l("Option value"), render_kw={"maxlength": 80, "placeholder": _l("e.g. Black")})


class VariantForm(Form):
    """One buyable variant: SKU, up to three options, price, currency, stock."""

    sku = StringField(_l("SKU (your stock code)"), render_kw={"maxlength": 64, "autocapitalize": "characters",
                                                               "spellcheck": "false"})
    options = FieldList(FormField(OptionForm), min_entries=OPTION_SLOTS, max_entries=OPTION_SLOTS)
    price = StringField(_l("Price"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    currency = SelectField(_l("Currency"), choices=[SelectChoice(c) for c in CURRENCIES], validate_choice=False)
    stock = StringField(_l("Stock"), default="0", render_kw={"inputmode": "numeric", "autocomplete": "off"})


class LanguageForm(Form):
    """The product's title and description in one language."""

    locale = SelectField(_l("Language"), choices=[SelectChoice(c) for c in LOCALES], validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": 200})
    description = TextAreaField(_l("Description"), render_kw={"maxlength": 5000, "rows": 4})


class ListingForm(FlaskForm):
    """Create or edit a listing: the product, its texts and photos, the store's variants and shipping."""

    product_id = HiddenField()
    gtin = StringField(_l("GTIN / EAN / UPC (barcode number)"),
                       render_kw={"inputmode": "numeric", "maxlength": 14, "autocomplete": "off"})
    brand = StringField(_l("Brand"), render_kw={"maxlength": 120})
    model = StringField(_l("Model"), render_kw={"maxlength": 120})
    category_id = SelectField(_l("Category"), choices=[], validate_choice=False)
    category_path = StringField(_l("…or a new category"),
                                render_kw={"maxlength": 400, "placeholder": "Electronics > Audio > Headphones"})
    languages = FieldList(FormField(LanguageForm), min_entries=1, max_entries=len(LOCALES))
    images = MultipleFileField(_l("Add photos"), render_kw={"accept": IMAGE_TYPES})
    image_paths = FieldList(HiddenField(), max_entries=MAX_LISTING_IMAGES)
    variants = FieldList(FormField(VariantForm), min_entries=1, max_entries=MAX_VARIANTS)
    ships_from = SelectField(_l("Ships from"), choices=[], validate_choice=False)
    handling_days = StringField(_l("Handling time (days before you ship)"), default="3",
                                render_kw={"inputmode": "numeric"})
    weight_grams = StringField(_l("Package weight (grams)"), default="500", render_kw={"inputmode": "numeric"})
    free_shipping = StringField(_l("Free shipping to"), render_kw={"autocapitalize": "characters",
                                                                    "placeholder": "ES, MX"})
    free_shipping_over = StringField(_l("Free shipping for orders from"), render_kw={"inputmode": "decimal"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.general_errors: list[str] = []
        self.product_errors: list[str] = []
        self.variant_errors: list[str] = []
        self._variant_entries: list = []
        self._locale = "en"

    # -- choices and labels ---------------------------------------------------------------------

    def setup(self, locale: str, categories: list[tuple[int, str]]) -> None:
        """Fill the choices in the seller's language (category labels come from the catalog)."""
        self._locale = locale
        self.category_id.choices = [SelectChoice("", _l("— choose a category —"))] + [
            SelectChoice(str(cid), label) for cid, label in categories
        ]
        self.ships_from.choices = [SelectChoice(code, name) for code, name in country_choices(locale)]
        self._dress_entries()

    def _dress_entries(self) -> None:
        """Choices and numbered labels for the repeated rows (run again after adding a row)."""
        languages = [SelectChoice(code, language_name(code)) for code in LOCALES]
        for entry in self.languages:
            entry.form.locale.choices = languages
        currencies = [SelectChoice(code, label) for code, label in currency_choices(self._locale)]
        for entry in self.variants:
            entry.form.currency.choices = currencies
            for n, option in enumerate(entry.form.options, start=1):
                option.form.name.label.text = _l("Option %(num)s name", num=n)
                option.form.value.label.text = _l("Option %(num)s value", num=n)

    # -- rows added and removed in place --------------------------------------------------------

    def add_variant(self) -> None:
        """Append an empty variant row in the previous row's currency."""
        if len(self.variants) < MAX_VARIANTS:
            self.variants.append_entry({"currency": self.variants[-1].form.currency.data, "stock": "0"})
            self._dress_entries()

    def remove_variant(self, index: int) -> None:
        """Remove a variant row (the last one left is kept, emptied)."""
        _remove_entry(self.variants, index)
        if not self.variants.entries:
            self.variants.append_entry()
        self._dress_entries()

    def add_language(self) -> None:
        """Append a row for the first language not used yet."""
        used = {entry.form.locale.data for entry in self.languages}
        free = [code for code in LOCALES if code not in used]
        if free and len(self.languages) < len(LOCALES):
            self.languages.append_entry({"locale": free[0]})
            self._dress_entries()

    def remove_language(self, index: int) -> None:
        """Remove a language row (at least one stays)."""
        if len(self.languages.entries) > 1:
            _remove_entry(self.languages, index)
            self._dress_entries()

    def remove_image(self, index: int) -> None:
        """Forget one of the listing's photos."""
        _remove_entry(self.image_paths, index)

    def add_image(self, path: str) -> None:
        """Keep a stored photo's path with the form (in a hidden field), so no re-upload is needed."""
        self.image_paths.append_entry(path)

    def kept_images(self) -> list[str]:
        """Paths of the photos the form carries."""
        return [entry.data for entry in self.image_paths if entry.data]

    # -- values as a listing --------------------------------------------------------------------

    def flat_fields(self, category: str) -> dict[str, str]:
        """The typed values as flat text fields (see seller_center.listings.flat_listing)."""
        fields = {name: (getattr(self, name).data or "") for name in (
            "gtin", "brand", "model", "ships_from", "handling_days", "weight_grams", "free_shipping",
            "free_shipping_over")}
        fields["category"] = category
        for entry in self.languages:
            if entry.form.locale.data in LOCALES:
                fields[f"title_{entry.form.locale.data}"] = entry.form.title.data or ""
                fields[f"description_{entry.form.locale.data}"] = entry.form.description.data or ""
        return fields

    def typed_category(self) -> str:
        """The typed category path, if any (it wins over the list)."""
        return (self.category_path.data or "").strip()

    def chosen_category_id(self) -> int | None:
        """The category picked from the list, if it is one of the choices."""
        value = self.category_id.data or ""
        valid = {c.value for c in self.category_id.choices if c.value}
        return int(value) if value in valid else None

    def variant_rows(self) -> list[dict[str, str]]:
        """Variant rows as flat text (see flat_listing); rows left completely empty are skipped."""
        rows, self._variant_entries = [], []
        for entry in self.variants:
            row = {"sku": entry.form.sku.data or "", "price": entry.form.price.data or "",
                   "currency": entry.form.currency.data or "", "stock": entry.form.stock.data or ""}
            for n, option in enumerate(entry.form.options, start=1):
                row[f"option{n}_name"] = option.form.name.data or ""
                row[f"option{n}_value"] = option.form.value.data or ""
            typed = [v for k, v in row.items() if k not in ("currency", "stock")]
            if not any(v.strip() for v in typed) and row["stock"].strip() in ("", "0"):
                continue
            rows.append(row)
            self._variant_entries.append(entry)
        return rows

    def check_structure(self) -> bool:
        """What the form's shape allows but a listing cannot hold: a language twice, an option name twice."""
        ok, seen = True, set()
        for entry in self.languages:
            if entry.form.locale.data in seen:
                add_error(entry.form.locale, _l("This language is already used above."))
                ok = False
            seen.add(entry.form.locale.data)
        for entry in self.variants:
            names = set()
            for option in entry.form.options:
                name = (option.form.name.data or "").strip().casefold()
                if name and name in names:
                    add_error(option.form.name, _l("Each option of a variant needs a different name."))
                    ok = False
                names.add(name)
        return ok

    # -- errors ---------------------------------------------------------------------------------

    def has_errors(self) -> bool:
        """True when any field or section shows an error."""
        return bool(self.general_errors or self.product_errors or self.variant_errors or _any_errors(self))

    def show_listing_error(self, key: str, message: str) -> None:
        """Put a message about listing key `key` (parse_listing's naming) on the field it concerns."""
        target = self._field_for(key)
        if target is None:
            self.general_errors.append(message)
        elif isinstance(target, list):
            target.append(message)
        else:
            add_error(target, message)

    def _field_for(self, key: str):
        """The field (or error list) that shows errors about listing key `key`; None for the form itself."""
        simple = {"gtin": self.gtin, "brand": self.brand, "model": self.model, "images": self.images,
                  "ships_from": self.ships_from, "handling_days": self.handling_days,
                  "weight_grams": self.weight_grams, "free_shipping": self.free_shipping,
                  "free_shipping_over": self.free_shipping_over, "variants": self.variant_errors,
                  "product": self.product_errors}
        if key in simple:
            return simple[key]
        if key == "category" or key.startswith("category_i18n"):
            return self.category_path if self.typed_category() or not self.chosen_category_id() else self.category_id
        match = re.fullmatch(r"(title|description)(?:\.(\w+))?", key)
        if match:
            part, locale = match.groups()
            entries = [e for e in self.languages if locale is None or e.form.locale.data == locale]
            return getattr(entries[0].form, part) if entries else None
        match = re.fullmatch(r"variants\[(\d+)\]\.(sku|price|currency|stock|options)", key)
        if match and int(match.group(1)) < len(self._variant_entries or self.variants.entries):
            entry = (self._variant_entries or self.variants.entries)[int(match.group(1))]
            if match.group(2) == "options":
                return entry.form.options[0].form.name
            return getattr(entry.form, match.group(2))
        return None


def _remove_entry(rows: FieldList, index: int) -> None:
    """Drop one row and number the rest 0, 1, 2... again, so names and ids stay in step with the page."""
    if not 0 <= index < len(rows.entries):
        return
    kept = [entry.data for i, entry in enumerate(rows.entries) if i != index]
    rows.entries, rows.last_index = [], -1
    for data in kept:
        rows.append_entry(data)


def add_error(field, message) -> None:
    """Add an error to a field without running its validators."""
    field.errors = [*field.errors, message]


def _any_errors(form) -> bool:
    """True when any field of the form, or of its nested rows, has an error."""
    for field in form:
        if isinstance(field, FieldList):
            if any(_any_errors(e.form) if isinstance(e, FormField) else e.errors for e in field):
                return True
        elif isinstance(field, FormField):
            if _any_errors(field.form):
                return True
        elif field.errors:
            return True
    return False


class BulkUploadForm(FlaskForm):
    """A CSV or JSONL file of listings."""

    file = FileField(_l("CSV or JSONL file"), render_kw={"accept": ".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"})


# -- translated messages for listing errors --------------------------------------------------------

MESSAGES = {
    "gtin": _l("Enter a valid GTIN: 8, 12, 13 or 14 digits with the right check digit."),
    "brand": _l("Use at most 120 characters."),
    "model": _l("Use at most 120 characters."),
    "category": _l("Choose a category, or type one like “Electronics > Audio” (1 to 5 levels, 80 characters each)."),
    "category_i18n": _l("The translated category must have the same number of levels as the English one."),
    "title": _l("Enter a title in at least one language."),
    "title.*": _l("Use at most 200 characters for the title."),
    "description": _l("Enter the descriptions as text."),
    "description.*": _l("Use at most 5,000 characters for the description."),
    "images": _l("Use at most 10 photos, each a stored picture or an http(s) address."),
    "images[]": _l("Use at most 10 photos, each a stored picture or an http(s) address."),
    "ships_from": _l("Choose the country you ship from."),
    "handling_days": _l("Enter a whole number of days from 0 to 30."),
    "weight_grams": _l("Enter the weight in grams: a whole number from 1 to 100,000."),
    "free_shipping": _l("Enter ISO country codes separated by commas (e.g. ES, MX), or * for everywhere."),
    "free_shipping_over": _l("Enter an amount of zero or more, e.g. 25.00."),
    "variants": _l("Add at least one variant (at most 50)."),
    "variants[].sku": _l("Use 1 to 64 letters, digits, “.”, “_”, “/” or “-”."),
    "variants[].options": _l("Give every option both a name (up to 40 characters) and a value (up to 80)."),
    "variants[].price": _l("Enter a price above 0 with no more decimals than the currency has (e.g. 12.99 USD, "
                           "1500 JPY)."),
    "variants[].currency": _l("Choose a currency."),
    "variants[].stock": _l("Enter the stock as a whole number from 0 to 10,000,000."),
    "seller": _l("Your store's details are incomplete; please contact support."),
}
SPECIAL = (
    ("variants[].sku", "appears twice", _l("Each SKU can be used only once in a listing.")),
    ("variants", "belong to different listings", _l("These SKUs belong to different listings of yours.")),
    ("gtin", "are listed under GTIN", _l("These SKUs are already listed under another GTIN.")),
    ("images[]", "not a picture uploaded by this store",
     _l("Use photos uploaded by your own store, or http(s) addresses; other pictures cannot be used.")),
    ("images[]", "private network",
     _l("This address points inside a private network; pictures are only fetched from the public internet.")),
)
CONFLICTS = {
    "sku_taken": _l("You already use this SKU in another listing."),
    "already_selling": _l("You already sell this product. Edit that listing instead."),
    "gtin_taken": _l("Another product in the catalog has this GTIN."),
    "conflict": _l("This listing conflicts with another product or listing. Check the GTIN and SKUs."),
}
FILE_MESSAGES = {
    "not UTF-8 text": _l("This line is not UTF-8 text."),
    "not valid JSON": _l("This line is not valid JSON."),
    "line is longer than": _l("This line is too long (at most 256 KiB)."),
    "a listing must be a JSON object": _l("This line must be one JSON object (a listing)."),
    "conflicts with an existing listing": _l("This listing conflicts with an existing product or listing."),
    "csv.encoding": _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."),
    "csv.columns": _l("The first row must name the columns; listing, sku, price and currency are required."),
    "csv.file": _l("This part of the file is not valid CSV."),
    "csv.listing": _l("This row has no value in the listing column."),
    "csv.repeat": _l("The listing columns on this row differ from the listing's first row."),
}


def split_reason(reason: str) -> tuple[str, str]:
    """("variants[1].price", "must be more than 0") from a listing message; ("", reason) if no key."""
    key, sep, detail = reason.partition(":")
    if sep and re.fullmatch(r"[a-z_]+(?:\.[a-z_]+|\[\d+\])*(?:\.[a-z_]+)?", key.strip()):
        return key.strip(), detail.strip()
    return "", reason


def conflict_message(code: str, detail: str) -> str:
    """The translated message for a seller_center.listings.ListingConflict."""
    if code == "gtin_fixed":
        return str(_l("This listing's product has GTIN %(gtin)s; it cannot be changed.", gtin=detail))
    return str(CONFLICTS.get(code, CONFLICTS["conflict"]))


def listing_error_message(key: str, detail: str) -> str | None:
    """The translated message for parse_listing's error about `key`, or None when we have none."""
    general = re.sub(r"\[\d+\]", "[]", key)
    for pattern, contains, message in SPECIAL:
        if general == pattern and contains in detail:
            return str(message)
    if general.startswith("seller"):
        return str(MESSAGES["seller"])
    if general.startswith("category_i18n"):
        return str(MESSAGES["category_i18n"])
    for candidate in (general, re.sub(r"\.\w+$", ".*", general)):
        if candidate in MESSAGES:
            return str(MESSAGES[candidate])
    return None


def file_problem_message(reason: str) -> tuple[str, str]:
    """(listing key or "", translated message) for one problem of a bulk upload report."""
    for start, message in FILE_MESSAGES.items():
        if reason.startswith(start):
            return "", str(message)
    key, detail = split_reason(reason)
    message = listing_error_message(key, detail) if key else None
    return key, message or str(_l("This listing could not be imported."))


def image_error_message(reason: str, filename: str) -> str:
    """What to tell the seller about a refused photo."""
    name = (filename or "")[-80:]
    if reason == TOO_LARGE:
        return str(_l("“%(name)s” is larger than %(mb)s MB.", name=name, mb=MAX_BYTES // (1024 * 1024)))
    if reason == TOO_MANY_PIXELS:
        return str(_l("“%(name)s” has too many pixels (at most %(mp)s megapixels).", name=name,
                      mp=MAX_PIXELS // 1_000_000))
    if reason == NOT_AN_IMAGE:
        return str(_l("“%(name)s” is not a JPEG, PNG or WebP picture.", name=name))
    return str(_l("“%(name)s” could not be read as a picture.", name=name))


def too_many_images_message(filename: str) -> str:
    """A photo beyond the limit."""
    return str(_l("A listing can have at most %(max)s photos; “%(name)s” was not added.", max=MAX_IMAGES,
                  name=(filename or "")[-80:]))
