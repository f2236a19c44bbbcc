namespace Platform.DevicePlugin.Inventory;

/// <summary>Rejects inventories the kubelet or the allocation logic could not handle, naming the field.</summary>
internal static class InventoryValidator
{
    public static void Validate(IReadOnlyList<GpuDevice> devices)
    {
        var uuids = new HashSet<string>(StringComparer.Ordinal);
        var indexes = new HashSet<int>();
        foreach (var device in devices)
        {
            ArgumentNullException.ThrowIfNull(device, nameof(devices));
            if (string.IsNullOrWhiteSpace(device.Uuid))
            {
                throw new ArgumentException($"GpuDevice.Uuid of the device with index {device.Index} is empty; set it to the GPU UUID (GPU-...).", nameof(devices));
            }

            if (device.Uuid.Length > DeviceInventory.MaxUuidLength)
            {
                throw new ArgumentException($"GpuDevice.Uuid '{device.Uuid}' is {device.Uuid.Length} characters; at most {DeviceInventory.MaxUuidLength} fit the kubelet's 63-character device ID with a replica suffix.", nameof(devices));
            }

            if (device.Uuid.Contains("::", StringComparison.Ordinal) || device.Uuid.Any(c => char.IsWhiteSpace(c) || c == ','))
            {
                throw new ArgumentException($"GpuDevice.Uuid '{device.Uuid}' contains '::', a comma or whitespace; these separate replica IDs and visible-device lists.", nameof(devices));
            }

            if (device.Index < 0)
            {
                throw new ArgumentException($"GpuDevice.Index of '{device.Uuid}' is {device.Index}; it must be 0 or more.", nameof(devices));
            }

            if (device.ResourceName is { } resource && (resource.IndexOf('/', StringComparison.Ordinal) <= 0 || resource.EndsWith('/') || resource.Any(c => char.IsWhiteSpace(c) || c == ',')))
            {
                throw new ArgumentException($"GpuDevice.ResourceName '{resource}' of '{device.Uuid}' is not an extended resource name such as nvidia.com/mig-1g.10gb.", nameof(devices));
            }

            if (!uuids.Add(device.Uuid))
            {
                throw new ArgumentException($"GpuDevice.Uuid '{device.Uuid}' appears twice; every GPU needs its own UUID.", nameof(devices));
            }

            if (!indexes.Add(device.Index))
            {
                throw new ArgumentException($"GpuDevice.Index {device.Index} appears twice ('{device.Uuid}'); every GPU needs its own index.", nameof(devices));
            }
        }
    }
}
