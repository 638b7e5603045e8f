"""The dashboards' cache: a value computed once while it is young, again once it is older than the setting."""

from pilotage.cache import CacheDesChiffres


class Horloge:
    def __init__(self) -> None:
        self.secondes = 1000.0

    def __call__(self) -> float:
        return self.secondes


def test_a_value_is_computed_once_while_young_and_again_once_old():
    horloge, calculs = Horloge(), []
    cache = CacheDesChiffres(300, timer=horloge)

    def calculer():
        calculs.append(horloge.secondes)
        return len(calculs)

    premier, le = cache.obtenir(("sections", (1,)), calculer)
    horloge.secondes += 299
    assert cache.obtenir(("sections", (1,)), calculer) == (premier, le)
    assert cache.obtenir(("sections", (2,)), calculer)[0] == 2  # another key: computed for itself
    horloge.secondes += 2
    assert cache.obtenir(("sections", (1,)), calculer)[0] == 3
    assert calculs == [1000.0, 1299.0, 1301.0]


def test_zero_seconds_keeps_nothing():
    calculs = []
    cache = CacheDesChiffres(0)
    for _ in range(3):
        cache.obtenir("cle", lambda: calculs.append(1))
    assert len(calculs) == 3
