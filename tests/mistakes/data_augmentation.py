"""Beginner mistakes in data_augmentation: each must fail its exercise's public test with a message naming the rule."""

from labrun import Mistake

_AFFINE = """
def affine_transform(images, angles, scales, shifts):
    height, width = images.shape[-2:]
    radians = torch.as_tensor(angles, dtype=images.dtype) * math.pi / 180
    scales = torch.as_tensor(scales, dtype=images.dtype)
    shifts = torch.as_tensor(shifts, dtype=images.dtype)
    cos, sin = torch.cos(radians) / scales, torch.sin(radians) / scales
    theta = torch.stack(
        [
            torch.stack([cos, -sin, -2 * shifts[:, 0] / width], dim=1),
            torch.stack([sin, cos, -2 * shifts[:, 1] / height], dim=1),
        ],
        dim=1,
    )
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def random_affine(images, *, max_rotation, max_scale, max_shift, generator):
    draws = 2 * torch.rand(len(images), 4, generator=generator) - 1
    return affine_transform(images, draws[:, 0] * max_rotation, 1 + draws[:, 1] * max_scale, draws[:, 2:] * max_shift)
"""

_NOISE_AND_CUTOUT = """
def gaussian_noise(images, *, std, generator):
    return (images + std * torch.randn(images.shape, generator=generator)).clamp(0.0, 1.0)


def cutout(images, *, size, generator):
    height, width = images.shape[-2:]
    rows = torch.randint(0, height - size + 1, (len(images),), generator=generator)
    columns = torch.randint(0, width - size + 1, (len(images),), generator=generator)
    out = images.clone()
    for i in range(len(images)):
        out[i, :, rows[i] : rows[i] + size, columns[i] : columns[i] + size] = 0.0
    return out
"""

_ELASTIC = """
def elastic_field(n_images, height, width, *, alpha, sigma, generator):
    noise = 2 * torch.rand(n_images, 2, height, width, generator=generator) - 1
    smooth = scipy.ndimage.gaussian_filter(noise.numpy(), sigma=(0, 0, sigma, sigma), mode="reflect")
    return alpha * torch.as_tensor(smooth, dtype=torch.float32)


def displace(images, field):
    height, width = images.shape[-2:]
    rows = torch.arange(height, dtype=images.dtype)[:, None] + field[:, 1]
    columns = torch.arange(width, dtype=images.dtype)[None, :] + field[:, 0]
    grid = torch.stack([(2 * columns + 1) / width - 1, (2 * rows + 1) / height - 1], dim=-1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def elastic_deform(images, *, alpha, sigma, generator):
    height, width = images.shape[-2:]
    return displace(images, elastic_field(len(images), height, width, alpha=alpha, sigma=sigma, generator=generator))
"""

_MIXUP = """
def mixup(images, targets, *, alpha, rng):
    lam = float(rng.beta(alpha, alpha))
    perm = torch.as_tensor(rng.permutation(len(images)))
    return lam * images + (1 - lam) * images[perm], lam * targets + (1 - lam) * targets[perm]
"""

_TTA = """
def tta_predict_proba(predict_proba, images, augment, *, n_copies, generator):
    copies = [torch.as_tensor(predict_proba(augment(images, generator))) for _ in range(n_copies)]
    return torch.stack(copies).mean(dim=0)
"""


def _changed(source: str, old: str, new: str) -> str:
    """``source`` with ``old`` replaced by ``new``; fails loudly if ``old`` is not there (the mistake would be void)."""
    assert old in source, f"{old!r} not found"
    return source.replace(old, new)


MISTAKES = {
    "test_affine_transform": [
        Mistake(
            what="translation in theta with the wrong sign (the grid maps output to input)",
            rule="moves the digit right by dx and down by dy",
            answers={"affine_transform": _changed(_AFFINE, "-2 * shifts[:, 0] / width", "2 * shifts[:, 0] / width")},
        ),
        Mistake(
            what="width and height swapped (height, width read as width, height)",
            rule="Divide a shift right by the width",
            answers={
                "affine_transform": _changed(
                    _AFFINE, "    height, width = images.shape[-2:]\n", "    width, height = images.shape[-2:]\n"
                )
            },
        ),
        Mistake(
            what="a fixed 8 x 8 image size",
            rule="never by a fixed 8",
            answers={
                "affine_transform": _changed(
                    _changed(_AFFINE, "-2 * shifts[:, 0] / width", "-2 * shifts[:, 0] / 8"),
                    "-2 * shifts[:, 1] / height",
                    "-2 * shifts[:, 1] / 8",
                )
            },
        ),
        Mistake(
            what="angles used as radians, not converted from degrees",
            rule="a positive angle turns the digit counter-clockwise",
            answers={"affine_transform": _changed(_AFFINE, " * math.pi / 180", "")},
        ),
        Mistake(
            what="multiplies by the scale instead of dividing (the digit shrinks)",
            rule="a scale above 1 enlarges the digit",
            answers={
                "affine_transform": _changed(
                    _AFFINE,
                    "torch.cos(radians) / scales, torch.sin(radians) / scales",
                    "torch.cos(radians) * scales, torch.sin(radians) * scales",
                )
            },
        ),
        Mistake(
            what="align_corners=True in grid_sample only, so the zero transform moves pixels",
            rule="must be the identity",
            answers={
                "affine_transform": _changed(
                    _AFFINE, 'padding_mode="zeros", align_corners=False', 'padding_mode="zeros", align_corners=True'
                )
            },
        ),
        Mistake(
            what="bicubic sampling, which overshoots the value range",
            rule="they must stay in [0, 1]",
            answers={"affine_transform": _changed(_AFFINE, 'mode="bilinear"', 'mode="bicubic"')},
        ),
        Mistake(
            what="one transform drawn for the whole batch",
            rule="one row per image",
            answers={
                "affine_transform": _changed(
                    _AFFINE,
                    "torch.rand(len(images), 4, generator=generator) - 1",
                    "torch.rand(1, 4, generator=generator).expand(len(images), 4) - 1",
                )
            },
        ),
        Mistake(
            what="draws from torch's global random state instead of the generator",
            rule="draw the randomness from the generator passed in",
            answers={
                "affine_transform": _changed(
                    _AFFINE, "torch.rand(len(images), 4, generator=generator)", "torch.rand(len(images), 4)"
                )
            },
        ),
    ],
    "test_gaussian_noise": [
        Mistake(
            what="a Python loop over the images in cutout, one square at a time",
            rule="No Python loop over the images",
            answers={"gaussian_noise": _NOISE_AND_CUTOUT},
        ),
        Mistake(
            what="the square filled with grey (0.5) instead of cut out",
            rule="set its pixels to 0",
            answers={"gaussian_noise": _changed(_NOISE_AND_CUTOUT, "] = 0.0", "] = 0.5")},
        ),
        Mistake(
            what="noise not clipped to the value range",
            rule="clip to [0, 1]",
            answers={"gaussian_noise": _changed(_NOISE_AND_CUTOUT, ").clamp(0.0, 1.0)", ")")},
        ),
        Mistake(
            what="noise scaled by the variance instead of the standard deviation",
            rule="Multiply standard normal noise by std",
            answers={"gaussian_noise": _changed(_NOISE_AND_CUTOUT, "images + std * torch", "images + std**2 * torch")},
        ),
        Mistake(
            what="noise drawn from torch's global random state",
            rule="from the generator passed in",
            answers={
                "gaussian_noise": _changed(
                    _NOISE_AND_CUTOUT, "torch.randn(images.shape, generator=generator)", "torch.randn(images.shape)"
                )
            },
        ),
        Mistake(
            what="corner drawn up to height - size only (randint's high is exclusive: the last position never comes)",
            rule="every position that fits",
            answers={
                "gaussian_noise": _changed(
                    _changed(_NOISE_AND_CUTOUT, "height - size + 1", "height - size"),
                    "width - size + 1",
                    "width - size",
                )
            },
        ),
        Mistake(
            what="corner drawn anywhere in the image, so the square can stick out and cut fewer pixels",
            rule="wholly inside the image",
            answers={
                "gaussian_noise": _changed(
                    _changed(_NOISE_AND_CUTOUT, "height - size + 1", "height"), "width - size + 1", "width"
                )
            },
        ),
        Mistake(
            what="height and width swapped in cutout",
            rule="rows start at 0..3 (height - size)",
            answers={
                "gaussian_noise": _changed(
                    _NOISE_AND_CUTOUT,
                    "    height, width = images.shape[-2:]\n",
                    "    width, height = images.shape[-2:]\n",
                )
            },
        ),
        Mistake(
            what="one square for the whole batch",
            rule="draw one square per image",
            answers={
                "gaussian_noise": _changed(
                    _changed(_NOISE_AND_CUTOUT, "rows[i] : rows[i] + size", "rows[0] : rows[0] + size"),
                    "columns[i] : columns[i] + size",
                    "columns[0] : columns[0] + size",
                )
            },
        ),
        Mistake(
            what="columns drawn before rows",
            rule="Draw rows = torch.randint",
            answers={
                "gaussian_noise": _changed(
                    _NOISE_AND_CUTOUT,
                    "    rows = torch.randint(0, height - size + 1, (len(images),), generator=generator)\n"
                    "    columns = torch.randint(0, width - size + 1, (len(images),), generator=generator)\n",
                    "    columns = torch.randint(0, width - size + 1, (len(images),), generator=generator)\n"
                    "    rows = torch.randint(0, height - size + 1, (len(images),), generator=generator)\n",
                )
            },
        ),
        Mistake(
            what="cuts the squares out of the input in place",
            rule="changed in place",
            answers={"gaussian_noise": _changed(_NOISE_AND_CUTOUT, "out = images.clone()", "out = images")},
        ),
    ],
    "test_elastic_deform": [
        Mistake(
            what="noise not smoothed",
            rule="neighbouring pixels move by nearly the same amount",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    'smooth = scipy.ndimage.gaussian_filter(noise.numpy(), sigma=(0, 0, sigma, sigma), mode="reflect")',
                    "smooth = noise.numpy()",
                )
            },
        ),
        Mistake(
            what="smoothed over every axis, mixing images and the dx and dy channels",
            rule="over the rows and columns only",
            answers={"elastic_deform": _changed(_ELASTIC, "sigma=(0, 0, sigma, sigma)", "sigma=sigma")},
        ),
        Mistake(
            what="noise in [0, 1] instead of [-1, 1]",
            rule="uniform in [-1, 1]",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    "noise = 2 * torch.rand(n_images, 2, height, width, generator=generator) - 1",
                    "noise = torch.rand(n_images, 2, height, width, generator=generator)",
                )
            },
        ),
        Mistake(
            what="field scaled by alpha squared",
            rule="scaled by alpha",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC, "return alpha * torch.as_tensor", "return alpha**2 * torch.as_tensor"
                )
            },
        ),
        Mistake(
            what="field scaled by 2 * alpha (the noise range [-1, 1] counted as a half-width of 2)",
            rule="no pixel moves by more than alpha pixels",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    "return alpha * torch.as_tensor(smooth, dtype=torch.float32)",
                    "return alpha * 2 * torch.as_tensor(smooth, dtype=torch.float32)",
                )
            },
        ),
        Mistake(
            what="noise from torch's global random state",
            rule="draw the randomness from the generator passed in",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    "torch.rand(n_images, 2, height, width, generator=generator)",
                    "torch.rand(n_images, 2, height, width)",
                )
            },
        ),
        Mistake(
            what="pixel positions normalised as align_corners=True does, while grid_sample uses False",
            rule="a zero field must be the identity",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    "torch.stack([(2 * columns + 1) / width - 1, (2 * rows + 1) / height - 1], dim=-1)",
                    "torch.stack([2 * columns / (width - 1) - 1, 2 * rows / (height - 1) - 1], dim=-1)",
                )
            },
        ),
        Mistake(
            what="columns normalised by the height and rows by the width",
            rule="Normalise columns by the width and rows by the height",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    "(2 * columns + 1) / width - 1, (2 * rows + 1) / height - 1",
                    "(2 * columns + 1) / height - 1, (2 * rows + 1) / width - 1",
                )
            },
        ),
        Mistake(
            what="a fixed 8 x 8 image size in displace",
            rule="never by a fixed 8",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    "(2 * columns + 1) / width - 1, (2 * rows + 1) / height - 1",
                    "(2 * columns + 1) / 8 - 1, (2 * rows + 1) / 8 - 1",
                )
            },
        ),
        Mistake(
            what="dx and dy swapped (channel 0 used for the rows)",
            rule="the output at (row, column) is the input read at (row + dy, column + dx)",
            answers={
                "elastic_deform": _changed(
                    _changed(_ELASTIC, "[:, None] + field[:, 1]", "[:, None] + field[:, 0]"),
                    "[None, :] + field[:, 0]",
                    "[None, :] + field[:, 1]",
                )
            },
        ),
        Mistake(
            what="the field subtracted (the pixel is pushed, not read from)",
            rule="the output at (row, column) is the input read at (row + dy, column + dx)",
            answers={
                "elastic_deform": _changed(
                    _changed(_ELASTIC, "[:, None] + field[:, 1]", "[:, None] - field[:, 1]"),
                    "[None, :] + field[:, 0]",
                    "[None, :] - field[:, 0]",
                )
            },
        ),
        Mistake(
            what="nearest-neighbour sampling",
            rule="use bilinear interpolation",
            answers={"elastic_deform": _changed(_ELASTIC, 'mode="bilinear"', 'mode="nearest"')},
        ),
        Mistake(
            what="border padding repeats the edge pixels",
            rule="zeros outside the image",
            answers={"elastic_deform": _changed(_ELASTIC, 'padding_mode="zeros"', 'padding_mode="border"')},
        ),
        Mistake(
            what="one field for the whole batch",
            rule="draw one field per image",
            answers={
                "elastic_deform": _changed(
                    _ELASTIC,
                    "elastic_field(len(images), height, width, alpha=alpha, sigma=sigma, generator=generator))",
                    "elastic_field(1, height, width, alpha=alpha, sigma=sigma, generator=generator)"
                    ".expand(len(images), 2, height, width))",
                )
            },
        ),
    ],
    "test_mixup": [
        Mistake(
            what="labels left unmixed",
            rule="not mixed with the same lam and the same perm",
            answers={"mixup": _changed(_MIXUP, "lam * targets + (1 - lam) * targets[perm]", "targets")},
        ),
        Mistake(
            what="labels mixed with the other weight (1 - lam on the example, lam on the partner)",
            rule="not mixed with the same lam and the same perm",
            answers={
                "mixup": _changed(
                    _MIXUP, "lam * targets + (1 - lam) * targets[perm]", "(1 - lam) * targets + lam * targets[perm]"
                )
            },
        ),
        Mistake(
            what="one lam per example instead of one per batch",
            rule="draw one lam for the whole batch",
            answers={
                "mixup": _changed(
                    _changed(
                        _MIXUP,
                        "lam = float(rng.beta(alpha, alpha))",
                        "lam = torch.as_tensor(rng.beta(alpha, alpha, size=len(images)), dtype=torch.float32)",
                    ),
                    "return lam * images + (1 - lam) * images[perm], lam * targets + (1 - lam) * targets[perm]",
                    "li, lt = lam[:, None, None, None], lam[:, None]\n"
                    "    return li * images + (1 - li) * images[perm], lt * targets + (1 - lt) * targets[perm]",
                )
            },
        ),
        Mistake(
            what="permutation drawn before lam",
            rule="draw one lam for the whole batch, then the permutation",
            answers={
                "mixup": _changed(
                    _MIXUP,
                    "    lam = float(rng.beta(alpha, alpha))\n"
                    "    perm = torch.as_tensor(rng.permutation(len(images)))\n",
                    "    perm = torch.as_tensor(rng.permutation(len(images)))\n"
                    "    lam = float(rng.beta(alpha, alpha))\n",
                )
            },
        ),
        Mistake(
            what="returns numpy arrays",
            rule="return two tensors",
            answers={
                "mixup": _changed(
                    _MIXUP,
                    "return lam * images + (1 - lam) * images[perm], lam * targets + (1 - lam) * targets[perm]",
                    "return (lam * images + (1 - lam) * images[perm]).numpy(), "
                    "(lam * targets + (1 - lam) * targets[perm]).numpy()",
                )
            },
        ),
    ],
    "test_tta_predict_proba": [
        Mistake(
            what="one augmented copy predicted n_copies times",
            rule="Each copy must be drawn afresh",
            answers={
                "tta_predict_proba": _changed(
                    _TTA,
                    "    copies = [torch.as_tensor(predict_proba(augment(images, generator))) "
                    "for _ in range(n_copies)]\n",
                    "    augmented = augment(images, generator)\n"
                    "    copies = [torch.as_tensor(predict_proba(augmented)) for _ in range(n_copies)]\n",
                )
            },
        ),
        Mistake(
            what="averages the arg-max votes instead of the probabilities",
            rule="Average the probabilities, not the votes or the logits",
            answers={
                "tta_predict_proba": _changed(
                    _TTA,
                    "torch.as_tensor(predict_proba(augment(images, generator)))",
                    "F.one_hot(torch.as_tensor(predict_proba(augment(images, generator))).argmax(dim=1), 3).float()",
                )
            },
        ),
        Mistake(
            what="averages log-probabilities, then renormalises",
            rule="Average the probabilities, not the votes or the logits",
            answers={
                "tta_predict_proba": _changed(
                    _TTA,
                    "    return torch.stack(copies).mean(dim=0)\n",
                    "    return torch.softmax(torch.stack(copies).log().mean(dim=0), dim=1)\n",
                )
            },
        ),
        Mistake(
            what="averages over the wrong axis",
            rule="keeping one row per image",
            answers={"tta_predict_proba": _changed(_TTA, "mean(dim=0)", "mean(dim=1)")},
        ),
        Mistake(
            what="counts the unaugmented images as one of the copies",
            rule="each drawn afresh by calling augment(images, generator) once per copy",
            answers={
                "tta_predict_proba": _changed(
                    _TTA,
                    "for _ in range(n_copies)]",
                    "for _ in range(n_copies - 1)] + [torch.as_tensor(predict_proba(images))]",
                )
            },
        ),
    ],
}
