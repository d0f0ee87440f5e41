#!/usr/bin/env python3
"""Runs the ONNX checker (python3-onnx, Debian: apt-get install -y python3-onnx) on exported models.

  /usr/bin/python3 onnx_check.py model.onnx [more.onnx ...]

For each file: onnx.checker.check_model(model, full_check=True) (full_check also runs strict shape inference, so
declared output shapes must agree with the graph). Prints one JSON object per file:
{"file", "ok", "error", "ir_version", "opset", "outputs": [[name, [dims]]]}; exits 1 if any file fails.
python3-onnx 1.12 checks IR <= 8 and opset <= 17.
"""
import json
import sys

import onnx


def dims(value):
    return [d.dim_param if d.dim_param else d.dim_value for d in value.type.tensor_type.shape.dim]


def check(path):
    result = {"file": path, "ok": False, "error": None}
    try:
        model = onnx.load(path)
        result["ir_version"] = model.ir_version
        result["opset"] = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")][0]
        result["outputs"] = [[o.name, dims(o)] for o in model.graph.output]
        onnx.checker.check_model(model, full_check=True)
        result["ok"] = True
    except Exception as e:  # the checker raises ValidationError, shape inference InferenceError
        result["error"] = f"{type(e).__name__}: {e}"
    return result


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    results = [check(p) for p in sys.argv[1:]]
    for r in results:
        print(json.dumps(r))
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
