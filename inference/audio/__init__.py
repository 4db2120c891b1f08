"""Audio pre-labeling: the audio model families (Silero VAD first), opening and running an audio model.

`open_model(path)` opens any model file (an AudioModel for an audio family, else an image Predictor);
`AudioModel.detect(source)` gives a recording's segments; inference/audio_prelabel.py runs a model over a workspace.
"""

from inference.audio import silero
from inference.audio.families import AUDIO_FAMILIES, AudioFamily, register_audio_family
from inference.audio.model import AudioModel, audio_family_of, open_model
from inference.audio.segments import Speech, VadRules, speech_segments
from inference.audio.stream import mono_chunks

__all__ = ["AUDIO_FAMILIES", "AudioFamily", "AudioModel", "Speech", "VadRules", "audio_family_of", "mono_chunks",
           "open_model", "register_audio_family", "silero", "speech_segments"]
