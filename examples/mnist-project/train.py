"""A tiny 'training' job for the demo: reads data/points.csv, fits a line, writes model.json."""

import csv
import json

with open("data/points.csv") as f:
    points = [(float(row["x"]), float(row["y"])) for row in csv.DictReader(f)]
n = len(points)
mean_x = sum(x for x, _ in points) / n
mean_y = sum(y for _, y in points) / n
slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
intercept = mean_y - slope * mean_x
with open("model.json", "w") as f:
    json.dump({"slope": round(slope, 4), "intercept": round(intercept, 4)}, f)
print(f"fitted y = {slope:.3f} x + {intercept:.3f} on {n} points; wrote model.json")
