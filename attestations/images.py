"""The images an attestation may print (the structure's logo, the signatory's signature): checks on an upload.
Pure: Pillow only.

An image is kept only if it is a PNG or a JPEG (read from its content, never from its name), of at most
``TAILLE_MAX`` bytes and ``COTE_MAX`` pixels a side (Pillow's decompression-bomb guard aside, a huge image
would slow every attestation down).
"""

from __future__ import annotations

import hashlib
import io
import warnings

TAILLE_MAX = 300 * 1024
COTE_MAX = 3000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class ImageRefusee(ValueError):
    """The upload is not an image the attestations can print; the message says why, in French."""


def verifier_image(contenu: bytes) -> str:
    """The media type of ``contenu`` (``image/png`` or ``image/jpeg``).

    :raise ImageRefusee: empty, larger than ``TAILLE_MAX`` bytes, not a PNG nor a JPEG, unreadable, or larger
        than ``COTE_MAX`` pixels a side.
    """
    if not contenu:
        raise ImageRefusee("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise ImageRefusee(f"L'image dépasse {TAILLE_MAX // 1024} Ko : réduisez-la (300 pixels de haut suffisent).")
    from PIL import Image, UnidentifiedImageError  # loaded on first use, like the PDF stack (core/pdf.py)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(contenu)) as image:
                format_, (largeur, hauteur) = image.format, image.size
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise ImageRefusee("Ce fichier n'est pas une image PNG ou JPEG lisible.") from error
    if format_ not in FORMATS:
        raise ImageRefusee("Choisissez une image PNG ou JPEG.")
    if largeur > COTE_MAX or hauteur > COTE_MAX:
        raise ImageRefusee(f"L'image dépasse {COTE_MAX} pixels de côté : réduisez-la.")
    return FORMATS[format_]


def empreinte(contenu: bytes) -> str:
    """The SHA-256 of ``contenu`` in hexadecimal: the image's name in snapshots (an image never changes)."""
    return hashlib.sha256(contenu).hexdigest()
