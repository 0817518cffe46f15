"""A tiny 'training' job for the demo: fits y = a x + b to data/points.csv by
gradient descent for a few learning rates, and records each attempt as a run
with the Dotscience library (ds runs ls shows them)."""

import csv
import json

import dotscience as ds

ds.script()
with open("data/points.csv") as f:
    points = [(float(row["x"]), float(row["y"])) for row in csv.DictReader(f)]

for lr in (0.001, 0.01, 0.03):
    ds.start()
    ds.input("data/points.csv")
    a = b = 0.0
    for _ in range(ds.parameter("epochs", 200)):
        grad_a = sum(2 * (a * x + b - y) * x for x, y in points) / len(points)
        grad_b = sum(2 * (a * x + b - y) for x, y in points) / len(points)
        a, b = a - ds.parameter("lr", lr) * grad_a, b - lr * grad_b
    mse = sum((a * x + b - y) ** 2 for x, y in points) / len(points)
    ds.summary("mse", round(mse, 4))
    with open(ds.output(f"model-lr{lr}.json"), "w") as f:
        json.dump({"a": round(a, 4), "b": round(b, 4)}, f)
    print(f"lr={lr}: y = {a:.3f} x + {b:.3f}, mse {mse:.4f}")
    ds.publish(f"line fit, lr={lr}")
