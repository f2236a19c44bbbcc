using Microsoft.Extensions.Time.Testing;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Tests.TestSupport;
using static Platform.DevicePlugin.Tests.TestSupport.Gpus;

namespace Platform.DevicePlugin.Tests.Hosting;

/// <summary>Registration retries on a manual clock: nothing sleeps, and the kubelet's arrival short-cuts the backoff.</summary>
public sealed class DevicePluginHostBackoffTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KubeletAbsent_RetriesWithCappedBackoff_ThenRegistersAtOnceWhenKubeletSockAppears()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var plugin = await PluginHarness.StartAsync(_dir.Path, Many(1), new Dictionary<string, string?>
        {
            ["DevicePlugin:RegistrationInitialBackoff"] = "00:00:00.200",
            ["DevicePlugin:RegistrationMaxBackoff"] = "00:00:00.800",
            ["DevicePlugin:KubeletCheckInterval"] = "01:00:00",
        }, time: time);

        var retries = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var failed = await plugin.Events.WaitForAsync<RegistrationFailed>();
            Assert.Equal(attempt, failed.Attempt);
            retries.Add(failed.RetryIn);
            time.Advance(failed.RetryIn);
        }

        await plugin.Events.WaitForAsync<RegistrationFailed>(f => f.Attempt == 5);
        await using var kubelet = await FakeKubelet.StartAsync(_dir.Path);
        PluginRegistered registered;
        while (true)
        {
            // The new kubelet.sock can be seen a moment before it accepts: then a fast retry follows.
            var next = await plugin.Events.WaitForAsync<DevicePluginEvent>(e => e is PluginRegistered or RegistrationFailed);
            if (next is PluginRegistered done)
            {
                registered = done;
                break;
            }

            Assert.True(((RegistrationFailed)next).RetryIn <= TimeSpan.FromMilliseconds(50));
            time.Advance(((RegistrationFailed)next).RetryIn);
        }

        var connection = await kubelet.NextRegistrationAsync();

        Assert.Equal([200, 400, 800, 800], retries.Select(r => (int)r.TotalMilliseconds));
        Assert.Equal("kubelet-restart", registered.Trigger);
        Assert.Equal(Uuid(0), (await connection.NextListAsync()).Devices.Single().ID);
    }
}
