using Microsoft.Extensions.Time.Testing;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Tests.TestSupport;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Hosting;

/// <summary>
/// Another live device plugin (NVIDIA's uses the same socket name) serving our socket path over a real Unix
/// socket: the plugin must leave it alone, say why, retry with backoff on the injected clock, and take the
/// path over only once it is free.
/// </summary>
public sealed class SocketOwnershipTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task LivePluginOnOurSocket_IsLeftAlone_RetriedWithBackoff_AndSurvivesOurShutdown()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        await using var other = await OtherDevicePlugin.StartAsync(_dir.File("nvidia-gpu.sock"));
        var time = new FakeTimeProvider(Start);
        var plugin = await PluginHarness.StartAsync(_dir.Path, Many(1), Config(), time: time);

        var first = await plugin.Events.WaitForAsync<PluginSocketInUse>();
        time.Advance(first.RetryIn);
        var second = await plugin.Events.WaitForAsync<PluginSocketInUse>();
        var status = plugin.Status.Resources["nvidia.com/gpu"];
        await plugin.DisposeAsync();

        Assert.Equal((1, 2), (first.Attempt, second.Attempt));
        Assert.Equal((200, 400), ((int)first.RetryIn.TotalMilliseconds, (int)second.RetryIn.TotalMilliseconds));
        Assert.Equal(_dir.File("nvidia-gpu.sock"), first.SocketPath);
        Assert.False(status.Listening);
        Assert.Contains("served by another live process", status.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(plugin.Events.All, e => e is PluginListening or PluginRegistered or PluginError);
        Assert.True(await other.AnswersAsync(), "the other plugin's socket must still serve after ours stopped");
    }

    [Fact]
    public async Task LivePluginGoesAway_TheSocketIsTakenOverAndRegistered()
    {
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        var other = await OtherDevicePlugin.StartAsync(_dir.File("nvidia-gpu.sock"));
        var time = new FakeTimeProvider(Start);
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(1), Config(), time: time);
        await plugin.Events.WaitForAsync<PluginSocketInUse>();

        // It exits as a crashed plugin would, leaving its socket file behind (a stale file is ours to remove).
        await other.DisposeAsync();
        PluginRegistered registered;
        while (true)
        {
            var next = await plugin.Events.WaitForAsync<DevicePluginEvent>(e => e is PluginRegistered or PluginSocketInUse or RegistrationFailed);
            if (next is PluginRegistered done)
            {
                registered = done;
                break;
            }

            time.Advance(next is PluginSocketInUse inUse ? inUse.RetryIn : ((RegistrationFailed)next).RetryIn);
        }

        var connection = await kubelet.NextRegistrationAsync();

        Assert.Equal("nvidia-gpu.sock", registered.Endpoint);
        Assert.Equal(Uuid(0), (await connection.NextListAsync()).Devices.Single().ID);
        Assert.False(connection.Options.PreStartRequired);
    }

    private static Dictionary<string, string?> Config() => new()
    {
        ["DevicePlugin:RegistrationInitialBackoff"] = "00:00:00.200",
        ["DevicePlugin:RegistrationMaxBackoff"] = "00:00:00.800",
        ["DevicePlugin:KubeletCheckInterval"] = "01:00:00",
    };
}
