"""Which numbers receive SMS: the metropolitan fast path of ``peut_recevoir_sms`` gives libphonenumber's answer for
every valid +33 number (the only ones stored), and overseas numbers go through libphonenumber."""

import phonenumbers

from core.messagerie.depot import peut_recevoir_sms

SMS = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _selon_libphonenumber(telephone: str) -> bool:
    return phonenumbers.number_type(phonenumbers.parse(telephone, None)) in SMS


def test_every_valid_metropolitan_prefix_gets_libphonenumbers_answer():
    compares = 0
    for chiffre in range(1, 10):
        for suite in range(1000):
            for fin in ("12345", "90817"):
                telephone = f"+33{chiffre}{suite:03d}{fin}"
                if not phonenumbers.is_valid_number(phonenumbers.parse(telephone, None)):
                    continue  # never stored: the register refuses it
                assert peut_recevoir_sms(telephone) == _selon_libphonenumber(telephone), telephone
                compares += 1
    assert compares > 10_000


def test_overseas_and_missing_numbers():
    assert peut_recevoir_sms("+262692123456")  # a mobile in La Réunion
    assert not peut_recevoir_sms("+262262123456")  # a fixed line there
    assert peut_recevoir_sms("+33612345678") and not peut_recevoir_sms("+33145678901")
    assert not peut_recevoir_sms(None) and not peut_recevoir_sms("")
