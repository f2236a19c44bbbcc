using Platform.DevicePlugin.Inventory;

namespace Platform.DevicePlugin.Allocation;

/// <summary>One device ID as the kubelet sees it: a whole GPU (<c>&lt;uuid&gt;</c>) or a replica (<c>&lt;uuid&gt;::&lt;n&gt;</c>).</summary>
internal sealed record AdvertisedDevice(string Id, GpuDevice Gpu, int? Replica)
{
    public const string ReplicaSeparator = "::";

    public static string ReplicaId(string uuid, int replica) => $"{uuid}{ReplicaSeparator}{replica}";
}
