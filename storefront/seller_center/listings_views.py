"""Seller center, listings: a store lists, creates, edits, publishes and bulk-uploads its listings.

Every view is for the logged-in store only (`seller_required` puts it on g.store) and every lookup
is scoped to it: another store's listing id answers 404, exactly like one that does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from ..catalog import image_fetches
from ..catalog.models import Product
from ..catalog.services import match_product
from ..config import LOCALES
from ..core.errors import InvalidInput, NotFound
from ..core.untrusted import small_int
from ..core.htmx import hx_target, render_page
from ..core.i18n import currency_for_country
from ..currency.services import current_rates
from ..extensions import db
from . import bulk as bulk_upload
from . import listings
from .access import seller_required
from .forms import (
    BulkUploadForm,
    ListingForm,
    add_error,
    conflict_message,
    file_problem_message,
    image_error_message,
    listing_error_message,
    split_reason,
    too_many_images_message,
)
from ..sellers.images import MAX_BYTES, MAX_IMAGES, ImageRejected, is_store_upload, is_upload, store_image, thumbnail_path
from ..sellers.models import Offer

bp = Blueprint("seller_listings", __name__, url_prefix="/<lang:locale>/seller/listings")

FORM_BLOCKS = ("languages", "variants")
ACTIONS = ("add_variant", "remove_variant", "add_language", "remove_language", "remove_image", "find_product",
           "new_product")
BODY_LIMITS = {
    "seller_listings.new": MAX_IMAGES * MAX_BYTES + 1024 * 1024,
    "seller_listings.edit": MAX_IMAGES * MAX_BYTES + 1024 * 1024,
    "seller_listings.bulk": bulk_upload.MAX_FILE_BYTES + 64 * 1024,
}


@bp.url_value_preprocessor
def limit_body(endpoint, _values):
    """Cap the request body per page. This runs before any before_request hook, and CSRF protection,
    the first to read the body, is one of those; a limit set in the view would come too late."""
    request.max_content_length = BODY_LIMITS.get(endpoint, 1024 * 1024)


@bp.errorhandler(413)
def too_large(_error):
    """An upload over the page's limit: say so on the same page instead of a bare error."""
    flash(_("That upload is too large. Add fewer or smaller files at a time."), "warn")
    return redirect(request.path, 303)


def _my_offer(offer_id: int) -> Offer:
    """The store's offer with this id, or a 404 (also when it is another store's)."""
    try:
        return listings.get_listing(db.session, g.store, offer_id)
    except NotFound:
        abort(404)


# -- the overview ---------------------------------------------------------------------------------


@bp.get("/")
@seller_required
def index():
    """My listings: title, variants, stock, prices, published or not, with links to edit."""
    return _overview()


def _overview(status_message: str | None = None):
    """The overview page (or its `listings` block for HTMX), at the page number the request asks for."""
    page_arg = request.values.get("page", "1")
    page = listings.store_listings(db.session, g.store, small_int(page_arg) or 1)
    fetches = image_fetches.unfinished(db.session, [row.product.id for row in page.rows])
    return render_page("sellers/center/listings.html", blocks=("listings",), listing_page=page,
                       store=g.store, thumbnail_url=thumbnail_url, status_message=status_message,
                       fetches=fetches, fetch_reason=image_fetches.reason_text)


def thumbnail_url(path: str) -> str:
    """A photo's preview URL: the small version of an upload, the stored picture otherwise; an outside address
    (older data) is never put in a page, so nobody's browser calls it."""
    if path.startswith(("https://", "http://")):
        return url_for("static", filename="img/placeholder.svg")
    return url_for("core.media", filename=thumbnail_path(path) if is_upload(path) else path)


@bp.post("/<int:offer_id>/publish")
@seller_required
def publish(offer_id: int):
    """Show a listing to shoppers again."""
    return _set_published(offer_id, True)


@bp.post("/<int:offer_id>/unpublish")
@seller_required
def unpublish(offer_id: int):
    """Hide a listing from browse, search and the product page."""
    return _set_published(offer_id, False)


def _set_published(offer_id: int, published: bool):
    """Publish or hide, then show the overview again (its block in place with HTMX)."""
    try:
        listings.set_published(db.session, g.store, offer_id, published, current_rates())
    except NotFound:
        abort(404)
    db.session.commit()
    message = _("Listing published.") if published else _("Listing hidden from shoppers.")
    if hx_target() == "listings":
        return _overview(message)  # shown inside the swapped block, not left behind as a flash
    flash(message, "success")
    page = request.form.get("page", "")
    return redirect(url_for("seller_listings.index", page=page if page.isdigit() and page != "1" else None), 303)


# -- create and edit ------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@seller_required
def new():
    """Create a listing: a new product, or the store's offer for a product already in the catalog."""
    return _listing_form(None)


@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
@seller_required
def edit(offer_id: int):
    """Edit one of my listings."""
    return _listing_form(_my_offer(offer_id))


@dataclass
class FormState:
    """What the listing page shows besides the form's own fields."""

    offer: Offer | None
    locked: Product | None  # the product's texts are not editable here (shared, or found in the catalog)
    matched: bool  # `locked` was found in the catalog for a new listing
    notices: list[str]
    failed: bool = False


def _initial(offer: Offer | None, categories: list[tuple[int, str]]) -> dict:
    """The form's first values: the listing as saved, or sensible defaults for the store."""
    store = g.store
    if offer is None:
        return {"languages": [{"locale": g.shopper.locale}],
                "variants": [{"currency": currency_for_country(store.country) or "USD", "stock": "0"}],
                "ships_from": store.country, "handling_days": "3", "weight_grams": "500"}
    values = listings.listing_values(db.session, offer)
    fields = values["fields"]
    leaf_ids = {cid for cid, _label in categories}
    category_id = offer.product.category_id
    data = {name: fields.get(name, "") for name in (
        "gtin", "brand", "model", "ships_from", "handling_days", "weight_grams", "free_shipping",
        "free_shipping_over")}
    data["category_id"] = str(category_id) if category_id in leaf_ids else ""
    data["category_path"] = "" if category_id in leaf_ids else fields.get("category", "")
    data["languages"] = [
        {"locale": loc, "title": fields[f"title_{loc}"], "description": fields[f"description_{loc}"]}
        for loc in LOCALES if f"title_{loc}" in fields
    ] or [{"locale": g.shopper.locale}]
    data["image_paths"] = values["images"]
    data["variants"] = [
        {"sku": row["sku"], "price": row["price"], "currency": row["currency"], "stock": row["stock"],
         "options": [{"name": row.get(f"option{n}_name", ""), "value": row.get(f"option{n}_value", "")}
                     for n in range(1, listings.OPTION_SLOTS + 1)]}
        for row in values["variants"]
    ]
    return data


def _action() -> tuple[str, int]:
    """Which button sent the form: ("save", 0) unless one of ACTIONS (with its row number)."""
    for name in ACTIONS:
        if name in request.form:
            value = request.form.get(name, "")
            return name, small_int(value) or 0
    return "save", 0


def _listing_form(offer: Offer | None):
    """The listing page: show it, apply a row button (add/remove variant, language, photo), or save."""
    session = db.session
    categories = listings.leaf_categories(session, g.shopper.locale)
    form = ListingForm() if request.method == "POST" else ListingForm(data=_initial(offer, categories))
    form.setup(g.shopper.locale, categories)
    state = FormState(offer=offer, locked=None, matched=False, notices=[])
    if offer is not None and listings.product_is_shared(session, offer):
        state.locked = offer.product
        state.notices.append(_("Other stores sell this product too, so its title, description, photos and "
                               "category stay as they are. You can change your variants and shipping."))
    if request.method == "POST":
        _check_kept_images(form, offer)
        if offer is None:
            _load_matched_product(form, state)
        action, index = _action()
        if hx_target() is None and state.locked is None:
            _store_uploads(form)  # HTMX row swaps leave the file input alone: it is sent with the save
        if action == "add_variant":
            form.add_variant()
        elif action == "remove_variant":
            form.remove_variant(index)
        elif action == "add_language":
            form.add_language()
        elif action == "remove_language":
            form.remove_language(index)
        elif action == "remove_image":
            form.remove_image(index)
        elif action == "find_product":
            _find_product(form, state)
        elif action == "new_product":
            form.product_id.data = ""
            state.locked, state.matched = None, False
        elif not form.images.errors:
            saved = _save(form, state)
            if saved is not None:
                return saved
            state.failed = True
    status = 400 if state.failed or form.has_errors() else 200
    form_url = url_for("seller_listings.edit", offer_id=offer.id) if offer else url_for("seller_listings.new")
    return render_page("sellers/center/listing_form.html", blocks=FORM_BLOCKS, form=form, state=state,
                       form_url=form_url, thumbnail_url=thumbnail_url, max_images=MAX_IMAGES), status


def _check_kept_images(form: ListingForm, offer: Offer | None) -> None:
    """Photos carried in hidden fields must be this store's uploads or already the listing's own."""
    allowed = set(offer.product.images or []) if offer else set()
    for path in form.kept_images():
        if not (is_store_upload(path, g.store.handle) or path in allowed):
            abort(404)


def _store_uploads(form: ListingForm) -> None:
    """Check and store the chosen photos; each accepted one is kept with the form from now on."""
    media = current_app.config["MEDIA_PATH"]
    for upload in request.files.getlist(form.images.name):
        if not upload or not upload.filename:
            continue
        if len(form.kept_images()) >= MAX_IMAGES:
            add_error(form.images, too_many_images_message(upload.filename))
            continue
        try:
            path = store_image(upload.stream, media, g.store.handle)
        except ImageRejected as exc:
            add_error(form.images, image_error_message(exc.reason, upload.filename))
        else:
            form.add_image(path)


def _load_matched_product(form: ListingForm, state: FormState) -> None:
    """A new listing for a product found in the catalog earlier (its id travels in a hidden field)."""
    value = form.product_id.data or ""
    if not value:
        return
    product = db.session.get(Product, small_int(value)) if small_int(value) else None
    if product is None:
        form.product_id.data = ""
        form.product_errors.append(_("That product is no longer in the catalog. Describe it below."))
        return
    state.locked, state.matched = product, True


def _find_product(form: ListingForm, state: FormState) -> None:
    """Look the typed GTIN, or brand and model, up in the catalog."""
    gtin = (form.gtin.data or "").strip() or None
    product = match_product(db.session, gtin, (form.brand.data or "").strip(), (form.model.data or "").strip())
    if product is None:
        state.notices.append(_("No product in the catalog has this GTIN or brand and model. Describe it below "
                               "to create it."))
        return
    form.product_id.data = str(product.id)
    state.locked, state.matched = product, True
    if listings.offer_for_product(db.session, g.store, product) is not None:
        form.product_errors.append(conflict_message("already_selling", ""))


def _save(form: ListingForm, state: FormState):
    """Validate with parse_listing and save in one transaction; a redirect, or None after showing errors."""
    session, store, offer = db.session, g.store, state.offer
    if offer is None and state.locked is None:
        gtin = (form.gtin.data or "").strip() or None
        found = match_product(session, gtin, (form.brand.data or "").strip(), (form.model.data or "").strip())
        if found is not None:  # the catalog's rule would add the offer to it: let the seller see that first
            form.product_id.data = str(found.id)
            state.locked, state.matched = found, True
            state.notices.append(_("This product is already in the catalog, so your offer will be added to it. "
                                   "Check the details and save again."))
            return None
    if not form.check_structure():
        return None
    category = form.typed_category()
    if not category and form.chosen_category_id():
        category = listings.category_path(session, form.chosen_category_id()) or ""
    raw = listings.flat_listing(form.flat_fields(category), form.variant_rows(), form.kept_images())
    if state.locked is not None:
        raw.update(listings.product_fields(session, state.locked))
    try:
        listings.save_store_listing(session, store, raw, current_rates(), offer=offer)
    except InvalidInput as exc:
        session.rollback()
        _show_error(form, exc)
        return None
    session.commit()
    flash(_("Listing saved."), "success")
    return redirect(url_for("seller_listings.index"), 303)


def _show_error(form: ListingForm, exc: InvalidInput) -> None:
    """Put a refused listing's reason, translated, on the field it names (or above the form)."""
    if isinstance(exc, listings.ListingConflict):
        message = conflict_message(exc.code, exc.detail)
        form.show_listing_error(exc.field, message)
        return
    key, detail = split_reason(str(exc))
    message = listing_error_message(key, detail) if key else None
    if message is None:
        form.general_errors.append(_("This listing could not be saved (%(reason)s).", reason=str(exc)))
    else:
        form.show_listing_error(key, message)


# -- bulk upload ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    """One problem of a bulk upload, ready to show."""

    lines: tuple[int, ...]
    field: str
    message: str
    detail: str


@bp.route("/bulk", methods=["GET", "POST"])
@seller_required
def bulk():
    """Upload many listings as a CSV or JSONL file; good ones are saved, bad ones reported by line."""
    form = BulkUploadForm()
    report, problems = None, []
    if request.method == "POST":
        upload = form.file.data
        kind = bulk_upload.file_kind(getattr(upload, "filename", None))
        if not upload or not getattr(upload, "filename", ""):
            add_error(form.file, _("Choose a CSV or JSONL file."))
        elif kind is None:
            add_error(form.file, _("Upload a .csv or .jsonl file."))
        else:
            report = bulk_upload.upload_listings(db.session, g.store, upload.stream, kind, current_rates(),
                                                 image_fetches.policy(current_app.config))
            if report.images_queued:  # the worker downloads them; the listings page shows how that went
                current_app.extensions["trigger_job"]("image_fetches")
            for problem in report.problems:
                key, message = file_problem_message(problem.reason)
                problems.append(ReportLine(problem.lines, key, message, problem.reason))
    status = 400 if form.file.errors else 200
    return render_page("sellers/center/bulk.html", form=form, report=report, problems=problems,
                       columns=bulk_upload.COLUMNS, example=bulk_upload.EXAMPLE_CSV), status

