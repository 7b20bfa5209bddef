"""The frozen pretrained backbones: find, convert (CTranslate2 Whisper), cache and load them."""
