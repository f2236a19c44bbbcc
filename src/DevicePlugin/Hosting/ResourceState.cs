using System.Diagnostics;
using Platform.DevicePlugin.Serving;

namespace Platform.DevicePlugin.Hosting;

/// <summary>Where one resource stands in the host's loop: listening, registered, and when to try again.</summary>
internal sealed class ResourceState(ResourcePlugin plugin, PluginServer server)
{
    public ResourcePlugin Plugin { get; } = plugin;

    public PluginServer Server { get; } = server;

    public bool NeedsListen { get; set; } = true;

    public bool NeedsRegister { get; set; } = true;

    public int Attempt { get; set; }

    /// <summary>Consecutive starts refused because another live process serves our socket path.</summary>
    public int InUseAttempts { get; set; }

    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>What began the current registration sequence; retries keep it (Attempt counts them).</summary>
    public string Trigger { get; set; } = "start";

    public DateTimeOffset FastRetryUntil { get; set; }

    public long TriggerTimestamp { get; set; } = Stopwatch.GetTimestamp();
}
