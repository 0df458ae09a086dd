"""«Эффективность»: did the support work? List dynamics against the targets, effect
estimates (difference-in-differences, regression discontinuity) with intervals and what each
cannot prove, dose–response as an association, and the estimators' validation."""
import streamlit as st

from analytics import effectiveness
from ui import export, lazy, tables
from ui.cache import compute, settings
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, num, pct, t
from presentation.views import effectiveness as views

CHART_CONFIG = {"displayModeBar": False}

scope = current_scope()
page_header(t("effectiveness.title"), scope, show_assessment=False)
lang = language()
min_n = settings().min_n
st.caption(t("effectiveness.intro"))

# -- list dynamics ---------------------------------------------------------------------------------
st.subheader(t("effectiveness.list_section"))
dynamics = compute(effectiveness.list_dynamics, scope.region_id, scope.municipality_id, int(scope.year))
drawn = views.list_view(dynamics, lang)
if drawn is None:
    st.info(t("effectiveness.list_none"))
else:
    figure, table, line, small = drawn
    st.caption(t("effectiveness.list_read", low="25\u00a0%", high="30\u00a0%"))
    st.plotly_chart(figure, width="stretch", config=CHART_CONFIG)
    st.markdown(line)
    if small:
        st.warning(t("effectiveness.list_small"), icon=":material/info:")
    with lazy.expander(t("effectiveness.list_table"), key="effectiveness_list_open") as is_open:
        if is_open:
            tables.dataframe(table)
            export.download_buttons(table, f"list_dynamics_{scope.year}", key="effectiveness_list")

# -- effect estimates ------------------------------------------------------------------------------
st.subheader(t("effectiveness.effect_section"))
st.caption(t("effectiveness.effect_intro"))
if scope.municipality_id is not None:
    st.info(t("effectiveness.region_only"), icon=":material/info:")
with st.spinner():
    result = compute(effectiveness.estimates, scope.region_id, min_n)
validation = result["validation"]
shown = result["shown"]
max_width = float(validation.get("max_width", 0.2))


def pp(value) -> str:
    return num(value * 100, 1).replace("-", "−")


def estimate_block(name: str, estimate: dict, sample_text: str, cannot_text: str) -> None:
    title = t(f"effectiveness.{name}.name")
    if not shown[name]:
        st.warning(views.not_shown_text(name, validation, lang))
        return
    if not estimate["ok"]:
        st.info(t("effectiveness.not_enough", name=title))
        return
    if views.too_wide(estimate, max_width):
        st.info(t("effectiveness.too_wide", name=title, width=num(max_width * 100), low=pp(estimate["ci_low"]),
                  high=pp(estimate["ci_high"])))
        return
    with st.container(border=True):
        left, right = st.columns([1, 3])
        left.metric(title, t("effectiveness.estimate_value", estimate=pp(estimate["estimate"])),
                    help=t("effectiveness.interval", low=pp(estimate["ci_low"]), high=pp(estimate["ci_high"])))
        left.caption(t("effectiveness.interval", low=pp(estimate["ci_low"]), high=pp(estimate["ci_high"])))
        right.markdown(f"**{views.reading(estimate, lang)}**")
        right.markdown(f"*{t('effectiveness.compares')}:* {t(f'effectiveness.{name}.compares')}")
        right.markdown(f"*{t('effectiveness.sample')}:* {sample_text}")
        right.markdown(f"*{t('effectiveness.cannot')}:* {cannot_text}")


did = result["did"]
p_text = num(did["pretrend_p"], 2) if did["ok"] else "—"
estimate_block("did", did, t("effectiveness.did.sample", treated=did["n_treated"], controls=did["n_control"],
                             rows=did.get("rows", 0)), t("effectiveness.did.cannot", p=p_text))
if shown["did"] and did["ok"] and not views.too_wide(did, max_width):
    key = "did.pretrend_ok" if did["pretrend_p"] != did["pretrend_p"] or did["pretrend_p"] >= 0.05 else "did.pretrend_bad"
    (st.caption if key.endswith("ok") else st.warning)(t(f"effectiveness.{key}", p=p_text))
    event_figure = views.event_view(did, lang)
    if event_figure is not None:
        st.plotly_chart(event_figure, width="stretch", config=CHART_CONFIG)
        st.caption(t("effectiveness.did.event_read"))
rd = result["rd"]
estimate_block("rd", rd, t("effectiveness.rd.sample", left=rd["n_left"], right=rd["n_right"],
                           bandwidth=num(rd["bandwidth"] * 100, 1) if rd["ok"] else "—",
                           first_stage=pct(rd["first_stage"], 0) if rd["ok"] else "—"),
               t("effectiveness.rd.cannot"))

# -- dose–response ------------------------------------------------------------------------------------
st.subheader(t("effectiveness.dose_section"))
st.caption(t("effectiveness.dose_read"))
dose = result["dose"].set_index("dose")
mentor = dose.loc["mentor"]
if mentor["enough"]:
    st.markdown(t("effectiveness.dose_mentor", with_n=int(mentor["n_with"]), without_n=int(mentor["n_without"]),
                  estimate=pp(mentor["estimate"]), low=pp(mentor["ci_low"]), high=pp(mentor["ci_high"])))
else:
    st.markdown(t("effectiveness.dose_little"))
execution = dose.loc["execution"]
if execution["enough"]:
    st.markdown(t("effectiveness.dose_execution", estimate=pp(execution["estimate"]), low=pp(execution["ci_low"]),
                  high=pp(execution["ci_high"]), n=int(execution["n"])))
else:
    st.markdown(t("effectiveness.dose_no_execution"))

# -- validation and methodology ---------------------------------------------------------------------------
st.subheader(t("effectiveness.validation_section"))
st.caption(t("effectiveness.validation_read", seeds=int(validation.get("seeds", 0))))
label = lambda key: t(f"effectiveness.columns.{key}")  # noqa: E731
tables.dataframe(views.validation_table(validation, shown, lang),
                 widths={label(c): w for c, w in views.VALIDATION_WIDTHS.items()},
                 wrap=[label(c) for c in views.VALIDATION_WRAP],
                 headers={label(c): t(f"effectiveness.column_short.{c}") for c in views.VALIDATION_SHORT})
with st.expander(t("effectiveness.methodology")):
    st.markdown(t("effectiveness.methodology_text", min_n=min_n))
st.caption(t("app.guardrail"))
