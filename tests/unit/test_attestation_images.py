"""Images an attestation may print (issue 11, item 3): PNG or JPEG read from the content, size limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from attestations import images


def image(format_: str, taille=(120, 60), couleur="navy") -> bytes:
    tampon = io.BytesIO()
    Image.new("RGB", taille, couleur).save(tampon, format=format_)
    return tampon.getvalue()


@pytest.mark.parametrize(("format_", "type_"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_png_and_jpeg_are_kept(format_, type_):
    assert images.verifier_image(image(format_)) == type_


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "vide"),
        (image("GIF"), "Choisissez une image PNG ou JPEG."),
        (b"%PDF-1.4 pas une image", "n'est pas une image PNG ou JPEG lisible"),
        (image("PNG")[:40], "n'est pas une image PNG ou JPEG lisible"),
        (b"\x89PNG" + b"0" * (images.TAILLE_MAX), "dépasse 300 Ko"),
        (image("PNG", taille=(3001, 10)), "dépasse 3000 pixels"),
    ],
)
def test_anything_else_is_refused_with_the_reason(contenu, message):
    with pytest.raises(images.ImageRefusee, match=message):
        images.verifier_image(contenu)


def test_an_image_is_named_by_its_sha256():
    assert images.empreinte(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
