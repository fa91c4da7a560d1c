"""Compare page: statistics, distributions and associations, real beside synthetic."""

import streamlit as st

from synth_core.plots import association_figure, distribution_figure
from synth_core.ui import state

MAX_DEFAULT_PLOTS = 12

st.title("Compare")
result = state.result_or_stop()

comparison = state.comparison(result)
st.caption(
    f"Synthetic rows ({len(result.data):,}) against the {len(result.train):,} real training rows "
    "they were learnt from. ID and personal-data columns are not compared."
)

st.subheader("Statistics per column")
table = comparison.statistics_table()
chosen = st.multiselect("Columns", list(comparison.columns), key="stats_columns")
st.dataframe(table[table["column"].isin(chosen)] if chosen else table, hide_index=True)

st.subheader("Distributions")
shown = st.multiselect(
    "Columns to plot",
    list(comparison.columns),
    default=list(comparison.columns)[:MAX_DEFAULT_PLOTS],
    key="plot_columns",
)
grid = st.columns(2)
for position, name in enumerate(shown):
    with grid[position % 2]:
        st.plotly_chart(distribution_figure(comparison.distributions[name]), key=f"dist_{name}")

st.subheader("Associations between columns")
st.caption(
    "Pearson correlation for numeric pairs (-1..1); Cramér's V for categorical pairs and the "
    "correlation ratio for numeric-categorical pairs (0..1). Dates count as numbers."
)
if len(comparison.columns) >= 2:
    st.plotly_chart(
        association_figure(comparison.real_associations, comparison.synthetic_associations),
        key="associations",
    )
    st.markdown("**Pairs that changed most**")
    st.dataframe(
        [
            {
                "pair": f"{p.first} × {p.second}",
                "measure": p.measure,
                "real": round(p.real, 3),
                "synthetic": round(p.synthetic, 3),
                "difference": round(p.difference, 3),
            }
            for p in comparison.largest_differences
        ],
        hide_index=True,
    )
else:
    st.info("Associations need at least two compared columns.")
st.page_link("pages/export.py", label="Next: export →")
