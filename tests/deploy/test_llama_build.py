"""scripts/llama_build.sh: the llama.cpp build setup picks for the machine it builds on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_build.sh"
AVX2 = "fpu sse sse2 avx avx2 fma f16c"
AVX512 = AVX2 + " avx512f avx512bw avx512vl avx512vbmi avx512_vnni avx512_bf16"
AMX = AVX512 + " amx_bf16 amx_tile amx_int8"


def choice(tmp_path: Path, flags: str = AVX2, machine: str = "x86_64", tegra: bool = False, gpu: bool = False,
           build: str = "") -> tuple[int, str, str]:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    (tmp_path / "tegra").write_text("R36") if tegra else None
    (tmp_path / "nvidia0").write_text("") if gpu else None
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CPUINFO": str(cpuinfo), "LLAMA_MACHINE": machine,
           "LLAMA_TEGRA": str(tmp_path / "tegra"), "LLAMA_GPU": str(tmp_path / "nvidia0"), "LLAMA_BUILD": build}
    proc = subprocess.run(["bash", "-c", f"source {SCRIPT} && llama_build_choice"], env=env, capture_output=True, text=True)
    return proc.returncode, proc.stdout.strip(), proc.stderr.strip()


@pytest.mark.parametrize("flags", [AVX2, AVX512, AMX], ids=["avx2", "avx512", "amx"])
def test_x86_gets_the_portable_build_never_native(tmp_path, flags):
    rc, out, _ = choice(tmp_path, flags)
    assert rc == 0 and out.split("|")[:2] == ["avx2", "-DGGML_NATIVE=OFF"]


def test_arm_is_built_for_its_core_and_a_jetson_for_cuda(tmp_path):
    assert choice(tmp_path, "fp asimd", "aarch64")[1].split("|")[:2] == ["native", "-DGGML_NATIVE=ON"]
    assert choice(tmp_path, "fp asimd", "aarch64", tegra=True)[1].split("|")[:2] == ["cuda", "-DGGML_CUDA=on"]


def test_a_cuda_toolkit_without_a_gpu_is_no_reason_for_cuda(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nvcc").write_text("#!/bin/sh\n")
    (bin_dir / "nvcc").chmod(0o755)
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"flags\t\t: {AVX2}\n")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LLAMA_CPUINFO": str(cpuinfo), "LLAMA_MACHINE": "x86_64",
           "LLAMA_TEGRA": str(tmp_path / "none"), "LLAMA_GPU": str(tmp_path / "none")}
    run = lambda: subprocess.run(["bash", "-c", f"source {SCRIPT} && llama_build_choice"], env=env,  # noqa: E731
                                 capture_output=True, text=True).stdout
    assert run().startswith("avx2|")
    (tmp_path / "nvidia0").write_text("")
    env["LLAMA_GPU"] = str(tmp_path / "nvidia0")
    assert run().startswith("cuda|-DGGML_CUDA=on|")


def test_a_variant_by_name_and_avx512_flags_follow_the_cpu(tmp_path):
    rc, out, _ = choice(tmp_path, AVX512, build="avx512")
    assert rc == 0 and out.split("|")[1] == ("-DGGML_NATIVE=OFF -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON "
                                             "-DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON")
    assert "AMX" not in out.split("|")[1]
    rc, _, err = choice(tmp_path, build="fastest")
    assert rc == 2 and "LLAMA_BUILD=fastest is not a variant" in err
