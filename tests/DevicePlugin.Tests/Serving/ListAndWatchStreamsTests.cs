using Microsoft.Extensions.Logging.Abstractions;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Inventory;
using Platform.DevicePlugin.Serving;
using Platform.DevicePlugin.Tests.TestSupport;
using V1Beta1;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Serving;

public sealed class ListAndWatchStreamsTests
{
    private readonly DeviceInventory _inventory = new();
    private readonly RecordingObserver _events = new();
    private readonly ResourcePlugin _plugin;

    public ListAndWatchStreamsTests()
    {
        var settings = Settings.From(o => o.ListAndWatchCoalesce = TimeSpan.Zero);
        var publisher = new EventPublisher([_events], TimeProvider.System, NullLogger<EventPublisher>.Instance);
        _plugin = new ResourcePlugin(settings.Primary, settings, _inventory, publisher, TimeProvider.System);
        _inventory.SetDevices(Many(8));
    }

    [Fact]
    public async Task Run_ChangesDuringASend_AreCoalescedIntoOneCompleteList()
    {
        var release = new TaskCompletionSource();
        var writer = new ChannelStreamWriter<ListAndWatchResponse> { Gate = _ => release.Task };
        using var cts = new CancellationTokenSource();
        var stream = _plugin.Streams.RunAsync(writer, cts.Token);

        for (var i = 0; i < 5; i++)
        {
            _inventory.SetHealth(Uuid(i), DeviceHealth.Unhealthy, $"XID {i}");
        }

        release.SetResult();
        var first = await writer.NextAsync();
        var second = await writer.NextAsync();
        _inventory.SetHealth(Uuid(7), DeviceHealth.Unhealthy);
        var third = await writer.NextAsync();

        Assert.All(first.Devices, d => Assert.Equal("Healthy", d.Health));
        Assert.Equal(5, second.Devices.Count(d => d.Health == "Unhealthy"));
        Assert.Equal(6, third.Devices.Count(d => d.Health == "Unhealthy"));
        Assert.Equal(8, third.Devices.Count);
        await cts.CancelAsync();
        await stream.DefaultTimeout();
    }

    [Fact]
    public async Task Run_ReasonOnlyChange_SendsNothingNew()
    {
        var writer = new ChannelStreamWriter<ListAndWatchResponse>();
        using var cts = new CancellationTokenSource();
        var stream = _plugin.Streams.RunAsync(writer, cts.Token);
        await writer.NextAsync();

        _inventory.SetHealth(Uuid(0), DeviceHealth.Healthy, "reason text only");
        _inventory.SetHealth(Uuid(1), DeviceHealth.Unhealthy);
        var next = await writer.NextAsync();

        Assert.Equal("Unhealthy", next.Devices[1].Health);
        Assert.Equal("Healthy", next.Devices[0].Health);
        await cts.CancelAsync();
        await stream.DefaultTimeout();
    }

    [Fact]
    public async Task Run_StuckStream_DoesNotDelayOthers_AndEndsWhenItsClientGoes()
    {
        var stuck = new ChannelStreamWriter<ListAndWatchResponse> { Gate = _ => new TaskCompletionSource().Task };
        var healthy = new ChannelStreamWriter<ListAndWatchResponse>();
        using var stuckClient = new CancellationTokenSource();
        using var healthyClient = new CancellationTokenSource();
        var stuckStream = _plugin.Streams.RunAsync(stuck, stuckClient.Token);
        var healthyStream = _plugin.Streams.RunAsync(healthy, healthyClient.Token);
        await healthy.NextAsync();

        _inventory.SetHealth(Uuid(3), DeviceHealth.Unhealthy);
        var update = await healthy.NextAsync();
        Assert.Equal(2, _plugin.Streams.Active);
        await stuckClient.CancelAsync();
        await stuckStream.DefaultTimeout();

        Assert.Equal("Unhealthy", update.Devices[3].Health);
        Assert.Equal(1, _plugin.Streams.Active);
        var closed = await _events.WaitForAsync<ListAndWatchClosed>();
        Assert.Equal("client-gone", closed.Reason);
        await healthyClient.CancelAsync();
        await healthyStream.DefaultTimeout();
        Assert.Equal(0, _plugin.Streams.Active);
    }

    [Fact]
    public async Task StopAll_EndsEveryStream_LaterStreamsStillWork()
    {
        var writer = new ChannelStreamWriter<ListAndWatchResponse>();
        var stream = _plugin.Streams.RunAsync(writer, CancellationToken.None);
        await writer.NextAsync();

        _plugin.Streams.StopAll();
        await stream.DefaultTimeout();
        var later = new ChannelStreamWriter<ListAndWatchResponse>();
        using var cts = new CancellationTokenSource();
        var laterStream = _plugin.Streams.RunAsync(later, cts.Token);

        Assert.Equal(8, (await later.NextAsync()).Devices.Count);
        Assert.Contains(_events.All, e => e is ListAndWatchClosed { Reason: "plugin-stopping" });
        await cts.CancelAsync();
        await laterStream.DefaultTimeout();
    }
}
