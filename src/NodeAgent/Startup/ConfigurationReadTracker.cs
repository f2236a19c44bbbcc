using System.Collections.Concurrent;

namespace Platform.NodeAgent.Startup;

/// <summary>
/// Sees every configuration read, through a wrapper around each configuration source. The binder reads
/// exactly the keys an options class has, so after every options class was bound the keys never read are
/// the ones nothing knows, whatever options classes exist (no list of keys to keep in step). The key read
/// last before a conversion failure is the one that failed; masking it lets binding go on to the next.
/// </summary>
internal sealed class ConfigurationReadTracker(IReadOnlySet<string> masked)
{
    private readonly ConcurrentDictionary<string, byte> _read = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads are recorded until the start-up check is done.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The last key that had a value when read, with that value.</summary>
    public (string Key, string? Value)? LastFound { get; private set; }

    public IEnumerable<string> ReadKeys => _read.Keys;

    /// <summary>Wraps every source already added to <paramref name="builder"/>; <paramref name="masked"/> keys read as absent.</summary>
    public static ConfigurationReadTracker Attach(IConfigurationBuilder builder, IReadOnlySet<string> masked)
    {
        var tracker = new ConfigurationReadTracker(masked);
        for (var i = 0; i < builder.Sources.Count; i++)
        {
            builder.Sources[i] = new TrackingSource(builder.Sources[i], tracker);
        }

        return tracker;
    }

    public bool WasRead(string key) => _read.ContainsKey(key);

    public void ForgetLastFound() => LastFound = null;

    private bool TryGet(IConfigurationProvider provider, string key, out string? value)
    {
        if (!Enabled)
        {
            return provider.TryGet(key, out value);
        }

        _read.TryAdd(key, 0);
        if (masked.Contains(key))
        {
            value = null;
            return false;
        }

        if (provider.TryGet(key, out value))
        {
            LastFound = (key, value);
            return true;
        }

        return false;
    }

    private sealed class TrackingSource(IConfigurationSource inner, ConfigurationReadTracker tracker) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new TrackingProvider(inner.Build(builder), tracker);
    }

    private sealed class TrackingProvider(IConfigurationProvider inner, ConfigurationReadTracker tracker) : IConfigurationProvider, IDisposable
    {
        public bool TryGet(string key, out string? value) => tracker.TryGet(inner, key, out value);

        public void Set(string key, string? value) => inner.Set(key, value);

        public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => inner.GetReloadToken();

        public void Load() => inner.Load();

        public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) => inner.GetChildKeys(earlierKeys, parentPath);

        public void Dispose() => (inner as IDisposable)?.Dispose();

        public override string ToString() => inner.ToString() ?? nameof(TrackingProvider);
    }
}
