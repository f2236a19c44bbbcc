using Platform.DevicePlugin.Inventory;
using Platform.DevicePlugin.Tests.TestSupport;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Inventory;

public sealed class DeviceInventoryTests
{
    public static TheoryData<GpuDevice[], string> Invalid => new()
    {
        { [Gpu(0) with { Uuid = " " }], "is empty" },
        { [Gpu(0) with { Uuid = "GPU-" + new string('a', 60) }], "at most 58" },
        { [Gpu(0) with { Uuid = "GPU-a::1" }], "contains '::'" },
        { [Gpu(0) with { Uuid = "GPU-a,b" }], "contains '::', a comma" },
        { [Gpu(0) with { Index = -1 }], "must be 0 or more" },
        { [Gpu(0), Gpu(1) with { Uuid = Uuid(0) }], "appears twice" },
        { [Gpu(0), Gpu(1) with { Index = 0 }], "Index 0 appears twice" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void SetDevices_InvalidDevice_ThrowsNamingTheField(GpuDevice[] devices, string expected)
    {
        var inventory = new DeviceInventory();

        var error = Assert.Throws<ArgumentException>(() => inventory.SetDevices(devices));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(inventory.Current.IsPopulated);
    }

    [Fact]
    public void SetDevices_OrdersByIndexAndMarksPopulated()
    {
        var inventory = new DeviceInventory();
        InventorySnapshot? raised = null;
        inventory.Changed += (_, s) => raised = s;

        inventory.SetDevices([Gpu(2), Gpu(0)], [Link(2, 0, GpuInterconnect.NvLink, 4)]);

        Assert.True(inventory.Current.IsPopulated);
        Assert.Equal([0, 2], inventory.Current.Devices.Select(d => d.Index));
        Assert.Equal(GpuInterconnect.NvLink, inventory.Current.FindLink(Uuid(0), Uuid(2))!.Interconnect);
        Assert.Same(inventory.Current, raised);
    }

    [Fact]
    public void SetHealth_ChangesOnlyWhenDifferent()
    {
        var inventory = new DeviceInventory();
        inventory.SetDevices(Many(2));
        var version = inventory.Current.Version;

        var changed = inventory.SetHealth(Uuid(1), DeviceHealth.Unhealthy, "XID 79");
        var again = inventory.SetHealth(Uuid(1), DeviceHealth.Unhealthy, "XID 79");
        var unknown = inventory.SetHealth("GPU-nope", DeviceHealth.Unhealthy);
        var recovered = inventory.SetHealth(Uuid(1), DeviceHealth.Healthy);

        Assert.True(changed);
        Assert.False(again);
        Assert.False(unknown);
        Assert.True(recovered);
        Assert.Equal(version + 2, inventory.Current.Version);
        Assert.True(inventory.Current.Find(Uuid(1))!.IsHealthy);
        Assert.Null(inventory.Current.Find(Uuid(1))!.HealthReason);
    }

    [Fact]
    public async Task WaitForChange_CompletesOnTheNextChangeOnly()
    {
        var inventory = new DeviceInventory();
        inventory.SetDevices(Many(1));
        var seen = inventory.Current.Version;

        var waiting = inventory.WaitForChangeAsync(seen, CancellationToken.None);
        var alreadyNewer = inventory.WaitForChangeAsync(seen - 1, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        inventory.SetHealth(Uuid(0), DeviceHealth.Unhealthy);

        await waiting.DefaultTimeout();
        Assert.True(alreadyNewer.IsCompleted);
    }

    [Fact]
    public void EffectiveDeviceNodes_DefaultsToIndexNode()
    {
        Assert.Equal(["/dev/nvidia5"], (Gpu(5) with { DeviceNodes = [] }).EffectiveDeviceNodes);
        Assert.Equal(["/dev/nvidia9"], (Gpu(5) with { DeviceNodes = ["/dev/nvidia9"] }).EffectiveDeviceNodes);
    }
}
