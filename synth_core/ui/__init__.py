"""Streamlit helpers: the only part of synth_core that imports streamlit."""
