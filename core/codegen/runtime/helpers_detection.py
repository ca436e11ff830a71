# Helpers of the detection ops (emitters/detection.cc): NonMaxSuppression and RoiAlign, as
# ONNX Runtime computes them. The marker lines work as in helpers.py.

# @helper onnx_non_max_suppression
def onnx_non_max_suppression(boxes, scores, max_per_class=None, iou_threshold=None,
                             score_threshold=None, center_point_box=0):
    """ONNX NonMaxSuppression: per batch and class, boxes in decreasing score order (scores
    above score_threshold), each kept unless its IoU with a kept one exceeds iou_threshold, at
    most max_per_class of them. Rows of (batch, class, box) in that order."""
    limit = 0 if max_per_class is None else int(max_per_class)
    overlap = 0.0 if iou_threshold is None else float(iou_threshold)
    boxes = boxes.to(torch.float64)
    if center_point_box:
        half = boxes[..., 2:] / 2
        corners = torch.cat([boxes[..., :2] - half, boxes[..., :2] + half], dim=-1)
        x1, y1, x2, y2 = corners.unbind(-1)
    else:  # any two diagonal corners, as (y, x)
        ya, xa, yb, xb = boxes.unbind(-1)
        y1, y2 = torch.minimum(ya, yb), torch.maximum(ya, yb)
        x1, x2 = torch.minimum(xa, xb), torch.maximum(xa, xb)
    selected = []
    for batch in range(scores.shape[0]):
        area = (x2[batch] - x1[batch]) * (y2[batch] - y1[batch])
        width = (torch.minimum(x2[batch][:, None], x2[batch][None]) -
                 torch.maximum(x1[batch][:, None], x1[batch][None])).clamp(min=0)
        height = (torch.minimum(y2[batch][:, None], y2[batch][None]) -
                  torch.maximum(y1[batch][:, None], y1[batch][None])).clamp(min=0)
        inter = width * height
        union = area[:, None] + area[None] - inter
        iou = torch.where(union > 0, inter / union.clamp(min=1e-300), torch.zeros_like(inter))
        for cls in range(scores.shape[1]):
            if limit <= 0:
                break
            score = scores[batch, cls]
            order = torch.sort(score, descending=True, stable=True).indices.tolist()
            kept = []
            for box in order:
                if score_threshold is not None and not score[box] > float(score_threshold):
                    continue
                if all(iou[box, other] <= overlap for other in kept):
                    kept.append(box)
                    if len(kept) == limit:
                        break
            selected.extend([batch, cls, box] for box in kept)
    return torch.tensor(selected, dtype=torch.int64).reshape(-1, 3)

# @helper onnx_roi_align
def onnx_roi_align(x, rois, batch_indices, output_height=1, output_width=1, sampling_ratio=0,
                   spatial_scale=1.0, mode="avg", half_pixel=True):
    """ONNX RoiAlign: each region of interest pooled to output_height x output_width bins by
    averaging (or taking the largest weighted corner of) bilinear samples."""
    import math

    n_rois, channels = rois.shape[0], x.shape[1]
    height, width = x.shape[2], x.shape[3]
    out = torch.zeros(n_rois, channels, output_height, output_width, dtype=x.dtype)
    offset = 0.5 if half_pixel else 0.0
    for r in range(n_rois):
        x1, y1, x2, y2 = [float(v) * spatial_scale - offset for v in rois[r].tolist()]
        roi_w, roi_h = x2 - x1, y2 - y1
        if not half_pixel:  # regions are at least one pixel
            roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
        bin_h, bin_w = roi_h / output_height, roi_w / output_width
        grid_h = sampling_ratio if sampling_ratio > 0 else math.ceil(roi_h / output_height)
        grid_w = sampling_ratio if sampling_ratio > 0 else math.ceil(roi_w / output_width)
        image = x[int(batch_indices[r])]
        for ph in range(output_height):
            for pw in range(output_width):
                total = torch.zeros(channels, dtype=x.dtype)
                best = None
                for iy in range(grid_h):
                    y = y1 + ph * bin_h + (iy + 0.5) * bin_h / grid_h
                    for ix in range(grid_w):
                        xs = x1 + pw * bin_w + (ix + 0.5) * bin_w / grid_w
                        if y < -1.0 or y > height or xs < -1.0 or xs > width:
                            continue  # outside the image: contributes zero
                        yy, xx = max(y, 0.0), max(xs, 0.0)
                        y_low, x_low = int(yy), int(xx)
                        if y_low >= height - 1:
                            y_low = y_high = height - 1
                            yy = float(y_low)
                        else:
                            y_high = y_low + 1
                        if x_low >= width - 1:
                            x_low = x_high = width - 1
                            xx = float(x_low)
                        else:
                            x_high = x_low + 1
                        ly, lx = yy - y_low, xx - x_low
                        hy, hx = 1 - ly, 1 - lx
                        terms = [hy * hx * image[:, y_low, x_low], hy * lx * image[:, y_low, x_high],
                                 ly * hx * image[:, y_high, x_low], ly * lx * image[:, y_high, x_high]]
                        if mode == "avg":
                            total = total + terms[0] + terms[1] + terms[2] + terms[3]
                        else:
                            local = torch.stack(terms).amax(0)
                            best = local if best is None else torch.maximum(best, local)
                if mode == "avg":
                    out[r, :, ph, pw] = total / max(grid_h * grid_w, 1)
                elif best is not None:
                    out[r, :, ph, pw] = best
    return out
