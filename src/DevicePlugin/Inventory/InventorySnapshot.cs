using System.Collections.Frozen;

namespace Platform.DevicePlugin.Inventory;

/// <summary>An immutable view of the inventory at one version. Devices are ordered by index.</summary>
public sealed class InventorySnapshot
{
    private readonly FrozenDictionary<string, GpuDevice> _byUuid;
    private readonly FrozenDictionary<(string, string), GpuLink> _links;

    internal InventorySnapshot(long version, bool populated, IReadOnlyList<GpuDevice> devices, IReadOnlyList<GpuLink> links)
    {
        Version = version;
        IsPopulated = populated;
        Devices = devices;
        Links = links;
        _byUuid = devices.ToFrozenDictionary(d => d.Uuid, StringComparer.Ordinal);
        var pairs = new Dictionary<(string, string), GpuLink>();
        foreach (var link in links)
        {
            pairs[Key(link.FirstUuid, link.SecondUuid)] = link;
        }

        _links = pairs.ToFrozenDictionary();
    }

    internal static InventorySnapshot Empty { get; } = new(0, false, [], []);

    /// <summary>Increases by one on every change.</summary>
    public long Version { get; }

    /// <summary>False until the agent has called <see cref="DeviceInventory.SetDevices"/> once; the plugin registers only after that.</summary>
    public bool IsPopulated { get; }

    public IReadOnlyList<GpuDevice> Devices { get; }

    public IReadOnlyList<GpuLink> Links { get; }

    public GpuDevice? Find(string uuid) => _byUuid.GetValueOrDefault(uuid);

    /// <summary>The reported link between two GPUs, or null when the agent reported none.</summary>
    public GpuLink? FindLink(string firstUuid, string secondUuid) => _links.GetValueOrDefault(Key(firstUuid, secondUuid));

    private static (string, string) Key(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
}
