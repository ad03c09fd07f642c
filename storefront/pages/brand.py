"""The shop's brand from settings: its name (SHOP_NAME) and logo file (SHOP_LOGO), checked at start-up."""
from __future__ import annotations

from pathlib import Path

LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".webp": "image/webp", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg"}


class BrandMisconfigured(RuntimeError):
    """SHOP_NAME or SHOP_LOGO cannot be used; the message names the setting."""


def logo_path(config: dict, static_folder: str) -> Path | None:
    """The logo file named by SHOP_LOGO (absolute, or relative to static/), or None when it is empty.

    :raises BrandMisconfigured: the file is missing or not an image type browsers show.
    """
    setting = (config.get("SHOP_LOGO") or "").strip()
    if not setting:
        return None
    path = Path(setting)
    if not path.is_absolute():
        path = Path(static_folder) / setting
    if path.suffix.lower() not in LOGO_TYPES:
        raise BrandMisconfigured(f"SHOP_LOGO={setting!r}: use an .svg, .png, .webp or .jpg file")
    if not path.is_file():
        raise BrandMisconfigured(f"SHOP_LOGO={setting!r}: no such file ({path})")
    return path


def check_brand(config: dict, static_folder: str) -> None:
    """Stop start-up on a brand setting that cannot work (a shop without a name, a logo that is not there).

    :raises BrandMisconfigured: naming the setting.
    """
    name = (config.get("SHOP_NAME") or "").strip()
    if not name or len(name) > 60:
        raise BrandMisconfigured("SHOP_NAME must be 1 to 60 characters")
    logo_path(config, static_folder)
