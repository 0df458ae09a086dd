"""Colour-vision deficiency simulation and colour differences, for testing palettes.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", severity 1.0 (dichromacy), applied to linear
sRGB. Difference: CIE76 ΔE*ab in CIELAB (D65). No Streamlit, no plotting: numpy only.
"""
from __future__ import annotations

import colorsys
import itertools

import numpy as np

# Machado et al. (2009), table for severity 1.0; rows map linear RGB to linear RGB.
MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                         [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def hex_to_rgb(colour: str) -> np.ndarray:
    """'#D55E00' -> array([0.835, 0.369, 0.0]) (sRGB, 0..1)."""
    text = colour.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    return np.array([int(text[i:i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255.0


def to_linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(colour: str, deficiency: str) -> np.ndarray:
    """The sRGB (0..1) a viewer with ``deficiency`` (a key of MACHADO) perceives."""
    return to_srgb(MACHADO[deficiency] @ to_linear(hex_to_rgb(colour)))


def lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0..1) -> CIELAB (D65)."""
    xyz = _SRGB_TO_XYZ @ to_linear(np.asarray(rgb, dtype=float)) / _WHITE_D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(first: np.ndarray, second: np.ndarray) -> float:
    """CIE76 colour difference of two sRGB colours (0..1)."""
    return float(np.linalg.norm(lab(first) - lab(second)))


def pair_distances(colours: dict, deficiency: str) -> list[tuple[str, str, float]]:
    """ΔE of every pair of a palette as seen with ``deficiency``, smallest first."""
    seen = {name: simulate(value, deficiency) for name, value in colours.items()}
    out = [(a, b, delta_e(seen[a], seen[b])) for a, b in itertools.combinations(seen, 2)]
    return sorted(out, key=lambda item: item[2])


def _hue_saturation(colour: str) -> tuple[float, float]:
    h, s, _ = colorsys.rgb_to_hsv(*hex_to_rgb(colour))
    return h * 360, s


def is_reddish(colour: str) -> bool:
    """Hue within red–red-orange (≤ 30° or ≥ 340°), clearly saturated."""
    hue, saturation = _hue_saturation(colour)
    return saturation > 0.4 and (hue <= 30 or hue >= 340)


def is_greenish(colour: str) -> bool:
    """Hue within yellow-green–bluish green (75°–170°), clearly saturated."""
    hue, saturation = _hue_saturation(colour)
    return saturation > 0.4 and 75 <= hue <= 170
