"""Fictional place and school names, built from word lists (lookup tables as data)."""
from __future__ import annotations

import numpy as np
import pandas as pd

DISTRICT_STEMS = [
    "Берёзов", "Соснов", "Ольхов", "Калинов", "Малинов", "Дубров", "Ключев", "Камен",
    "Лугов", "Полян", "Озёр", "Рябинов", "Вишнёв", "Горков", "Липов", "Кленов",
    "Ясенев", "Кедров", "Журавлёв", "Лебяжин", "Соколов", "Орлов", "Гусев", "Медвежин",
    "Покров", "Никольск", "Троицк", "Спасск", "Успенск", "Михайлов", "Алексеев", "Андреев",
    "Васильев", "Григорьев", "Дмитриев", "Сергиев", "Павлов", "Фёдоров", "Ильин", "Зареч",
]
VILLAGE_STEMS = DISTRICT_STEMS + [
    "Борисов", "Глебов", "Ершов", "Жуков", "Зайцев", "Клюквин", "Ладожск", "Мохов",
    "Ново-Сел", "Овсян", "Пестов", "Родников", "Семёнов", "Тихонов", "Устьин", "Холмов",
    "Черемхов", "Шишкин", "Яровск", "Вязов", "Грибов", "Дымков", "Еланск", "Жданов",
]
CITY_NAMES = ["Светлоград", "Новоозёрск", "Краснолесье", "Верхнеречье", "Белогорск",
              "Ясногорск", "Приозёрск", "Зеленоборск", "Солнечногорск", "Среднереченск"]

TYPE_ABBREVIATION = {
    "sosh": "СОШ", "oosh": "ООШ", "nosh": "НОШ",
    "gymnasium": "гимназия", "lyceum": "лицей", "edu_center": "ЦО",
}


def _adjective(stem: str, ending: str) -> str:
    # "Берёзов" + "ский" -> "Берёзовский"; stems ending in "к" (Никольск, Троицк) take "ий".
    if stem.endswith("к"):
        return stem + ending[2:]
    return stem + ending


class NamePool:
    """Hands out names without repeating them within one generated region."""

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._districts = list(rng.permutation(DISTRICT_STEMS))
        self._cities = list(rng.permutation(CITY_NAMES))

    def city_name(self) -> str:
        return self._cities.pop() if self._cities else "Центральный"

    def district_name(self) -> str:
        stem = self._districts.pop() if self._districts else "Дальн"
        return _adjective(stem, "ский")

    @staticmethod
    def town_for(district_name: str) -> str:
        """«Берёзовский» → «Берёзово»; a stem that is already a town name keeps it: «Троицкий» → «Троицк»."""
        for stem in DISTRICT_STEMS:
            if stem.endswith("к") and _adjective(stem, "ский") == district_name:
                return stem
        return district_name.removesuffix("ский") + "о"

    def school_names(self, schools: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        names, shorts = [], []
        used: set[str] = set()
        urban_counter: dict[str, int] = {}
        for row in schools.itertuples(index=False):
            kind = TYPE_ABBREVIATION[row.school_type]
            if row.setting in ("city", "town"):
                number = urban_counter.get(row.settlement, 0) + 1
                urban_counter[row.settlement] = number
                place = row.settlement
                if row.school_type in ("gymnasium", "lyceum"):
                    short = f"{kind.capitalize()} № {number} ({place})"
                    full = f"МАОУ «{kind.capitalize()} № {number}» г. {place}"
                else:
                    short = f"{kind} № {number} ({place})"
                    full = f"МБОУ «{kind} № {number}» г. {place}"
            else:
                stem = VILLAGE_STEMS[int(rng.integers(len(VILLAGE_STEMS)))]
                adjective = _adjective(stem, "ская")
                short = f"{adjective} {kind}"
                suffix = 2
                while short in used:
                    short = f"{adjective} {kind} № {suffix}"
                    suffix += 1
                full = f"МКОУ «{short}»"
            used.add(short)
            names.append(full)
            shorts.append(short)
        return pd.DataFrame({"name": names, "short_name": shorts})
