using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>Test GPUs with recognisable UUIDs.</summary>
internal static class Gpus
{
    public static string Uuid(int index) => $"GPU-00000000-0000-0000-0000-0000000000{index:D2}";

    public static GpuDevice Gpu(int index, int? numa = 0, string product = "NVIDIA A100-SXM4-80GB") =>
        new() { Uuid = Uuid(index), Index = index, NumaNode = numa, ProductName = product, DeviceNodes = [$"/dev/nvidia{index}"] };

    public static GpuDevice[] Many(int count, Func<int, int?>? numa = null) =>
        Enumerable.Range(0, count).Select(i => Gpu(i, numa?.Invoke(i) ?? 0)).ToArray();

    public static GpuLink Link(int a, int b, GpuInterconnect kind, int nvLinks = 0) => new(Uuid(a), Uuid(b), kind, nvLinks);

    public static InventorySnapshot Snapshot(IEnumerable<GpuDevice> devices, IEnumerable<GpuLink>? links = null)
    {
        var inventory = new DeviceInventory();
        inventory.SetDevices(devices, links);
        return inventory.Current;
    }
}
