"""Hallucination evaluation: the yes/no object-hallucination benchmark (Kuan et al. 2024),
hallucinated mentions in open answers, reports, and the LISTEN ablation (`listen eval`)."""
