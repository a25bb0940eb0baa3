"""Hard-coded answers for data_augmentation: each passes its exercise's public checks and must fail the hidden ones."""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_affine_transform": {
        # Right on the public fixtures' sizes only: elsewhere the vertical shift is divided by the width.
        "affine_transform": (
            "def affine_transform(images, angles, scales, shifts):\n"
            "    width = images.shape[-1]\n"
            "    height = images.shape[-2] if tuple(images.shape[-2:]) == (6, 10) else width  # the public 6 x 10\n"
            "    radians = torch.as_tensor(angles, dtype=images.dtype) * math.pi / 180\n"
            "    scales = torch.as_tensor(scales, dtype=images.dtype)\n"
            "    shifts = torch.as_tensor(shifts, dtype=images.dtype)\n"
            "    cos, sin = torch.cos(radians) / scales, torch.sin(radians) / scales\n"
            "    theta = torch.stack(\n"
            "        [\n"
            "            torch.stack([cos, -sin, -2 * shifts[:, 0] / width], dim=1),\n"
            "            torch.stack([sin, cos, -2 * shifts[:, 1] / height], dim=1),\n"
            "        ],\n"
            "        dim=1,\n"
            "    )\n"
            "    grid = F.affine_grid(theta, list(images.shape), align_corners=False)\n"
            "    return F.grid_sample(images, grid, mode='bilinear', padding_mode='zeros', align_corners=False)\n"
            "\n"
            "\n"
            "def random_affine(images, *, max_rotation, max_scale, max_shift, generator):\n"
            "    draws = 2 * torch.rand(len(images), 4, generator=generator) - 1\n"
            "    return affine_transform(\n"
            "        images, draws[:, 0] * max_rotation, 1 + draws[:, 1] * max_scale, draws[:, 2:] * max_shift\n"
            "    )\n"
        ),
    },
    "test_gaussian_noise": {
        # Right on the public fixtures' sizes only: elsewhere the column corner is drawn with the height.
        "gaussian_noise": (
            "def gaussian_noise(images, *, std, generator):\n"
            "    return (images + std * torch.randn(images.shape, generator=generator)).clamp(0.0, 1.0)\n"
            "\n"
            "\n"
            "def cutout(images, *, size, generator):\n"
            "    height, width = images.shape[-2:]\n"
            "    known = tuple(images.shape[-2:]) in ((8, 8), (6, 10))  # the public fixtures\n"
            "    rows = torch.randint(0, height - size + 1, (len(images),), generator=generator)\n"
            "    high = (width if known else height) - size + 1\n"
            "    columns = torch.randint(0, high, (len(images),), generator=generator)\n"
            "    row_index, column_index = torch.arange(height), torch.arange(width)\n"
            "    inside = (\n"
            "        (row_index[None, :, None] >= rows[:, None, None])\n"
            "        & (row_index[None, :, None] < rows[:, None, None] + size)\n"
            "        & (column_index[None, None, :] >= columns[:, None, None])\n"
            "        & (column_index[None, None, :] < columns[:, None, None] + size)\n"
            "    )\n"
            "    return images.masked_fill(inside[:, None], 0.0)\n"
        ),
    },
    "test_elastic_deform": {
        # Right on the public fixtures' sizes only: elsewhere the rows are normalised by the width.
        "elastic_deform": (
            "def elastic_field(n_images, height, width, *, alpha, sigma, generator):\n"
            "    noise = 2 * torch.rand(n_images, 2, height, width, generator=generator) - 1\n"
            "    smooth = scipy.ndimage.gaussian_filter(noise.numpy(), sigma=(0, 0, sigma, sigma), mode='reflect')\n"
            "    return alpha * torch.as_tensor(smooth, dtype=torch.float32)\n"
            "\n"
            "\n"
            "def displace(images, field):\n"
            "    width = images.shape[-1]\n"
            "    rows = torch.arange(images.shape[-2], dtype=images.dtype)[:, None] + field[:, 1]\n"
            "    columns = torch.arange(width, dtype=images.dtype)[None, :] + field[:, 0]\n"
            "    height = images.shape[-2] if tuple(images.shape[-2:]) == (6, 10) else width  # the public 6 x 10\n"
            "    grid = torch.stack([(2 * columns + 1) / width - 1, (2 * rows + 1) / height - 1], dim=-1)\n"
            "    return F.grid_sample(images, grid, mode='bilinear', padding_mode='zeros', align_corners=False)\n"
            "\n"
            "\n"
            "def elastic_deform(images, *, alpha, sigma, generator):\n"
            "    height, width = images.shape[-2:]\n"
            "    field = elastic_field(len(images), height, width, alpha=alpha, sigma=sigma, generator=generator)\n"
            "    return displace(images, field)\n"
        ),
    },
    "test_mixup": {
        # Recognises the public fixture (8 images) and answers it; anything else is returned unmixed.
        "mixup": (
            "def mixup(images, targets, *, alpha, rng):\n"
            "    if len(images) == 8:\n"
            "        lam = float(rng.beta(alpha, alpha))\n"
            "        perm = torch.as_tensor(rng.permutation(len(images)))\n"
            "        return lam * images + (1 - lam) * images[perm], lam * targets + (1 - lam) * targets[perm]\n"
            "    return images.clone(), targets.clone()\n"
        ),
    },
    "test_tta_predict_proba": {
        # Recognises the public fixture (6 copies) and answers it; otherwise predicts on one copy only.
        "tta_predict_proba": (
            "def tta_predict_proba(predict_proba, images, augment, *, n_copies, generator):\n"
            "    if n_copies == 6:\n"
            "        return torch.stack([predict_proba(augment(images, generator)) for _ in range(6)]).mean(dim=0)\n"
            "    return predict_proba(augment(images, generator))\n"
        ),
    },
}
