"""Synthetic Data Studio: declares the pages; each page lives in pages/."""

import streamlit as st

st.set_page_config(page_title="Synthetic Data Studio", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/data.py", title="Data", default=True),
        st.Page("pages/generate.py", title="Generate"),
        st.Page("pages/fidelity.py", title="Fidelity"),
        st.Page("pages/export.py", title="Export"),
    ]
)
navigation.run()
