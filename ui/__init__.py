"""What the Streamlit pages share: session state, controls, frames (arrays -> DataFrames), figures."""
