using System.Text;
using Microsoft.Extensions.Options;
using Platform.Webhook.Diagnostics;
using Platform.Webhook.Hosting;

namespace Platform.Webhook.Policy;

/// <summary>
/// The policy in force. Loaded once at start (errors there stop the process), then reloaded
/// whenever the file's content changes; a new version with errors is refused and the last good
/// one stays in force, which the log, <c>raygpu_webhook_policy_reloads_total{result="failure"}</c>
/// and <c>/readyz</c> all say.
/// </summary>
internal sealed partial class PolicyStore : IPolicySource, IReloadableFile
{
    public const string BuiltInSource = "built-in default policy (Policy:File is not set)";

    private readonly Lock _gate = new();
    private readonly string? _file;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger<PolicyStore> _logger;
    private readonly TimeProvider _time;
    private GpuPolicy? _current;
    private string? _lastAttempt;
    private ReloadStatus _status;

    public PolicyStore(IOptions<PolicyFileOptions> options, WebhookMetrics metrics, ILogger<PolicyStore> logger, TimeProvider time)
    {
        _file = string.IsNullOrWhiteSpace(options.Value.File) ? null : options.Value.File;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _status = ReloadStatus.NotLoaded(_file ?? BuiltInSource);
    }

    /// <summary>Raised after every load attempt that saw new content; the argument says whether it was taken.</summary>
    public event EventHandler<bool>? ReloadAttempted;

    public IReadOnlyList<string> WatchedFiles => _file is null ? [] : [_file];

    public GpuPolicy Current => Volatile.Read(ref _current)
        ?? throw new InvalidOperationException("The policy is read before it was loaded; PolicyWatcher loads it at start.");

    public ReloadStatus Status => Volatile.Read(ref _status);

    /// <summary>Loads the policy at start. Throws <see cref="WebhookStartupException"/> listing every error.</summary>
    public void LoadInitial()
    {
        lock (_gate)
        {
            if (_file is null)
            {
                LogBuiltInDefault(_logger);
                Publish(GpuPolicy.Default, "built-in");
                return;
            }

            var (policy, fingerprint, errors) = Read(_file);
            if (policy is null)
            {
                throw new WebhookStartupException($"Policy:File '{_file}' cannot be used ({errors.Count} error(s)); fix the file or unset Policy:File to use the built-in default:", errors);
            }

            _lastAttempt = fingerprint;
            Publish(policy, fingerprint!);
            LogLoaded(_logger, _file, fingerprint!);
        }
    }

    /// <summary>Reloads the file if its content differs from the last version seen.</summary>
    public void CheckForChange()
    {
        if (_file is null)
        {
            return;
        }

        bool taken;
        lock (_gate)
        {
            var (policy, fingerprint, errors) = Read(_file);
            var attempt = fingerprint ?? string.Join('\n', errors);
            if (attempt == _lastAttempt)
            {
                return;
            }

            _lastAttempt = attempt;
            taken = policy is not null;
            if (policy is not null)
            {
                Publish(policy, fingerprint!);
                LogReloaded(_logger, _file, fingerprint!);
            }
            else
            {
                var now = _time.GetUtcNow();
                _status = _status with { Errors = errors, FailedAt = now };
                LogReloadRefused(_logger, _file, _status.Fingerprint ?? "none", string.Join("; ", errors));
            }

            _metrics.PolicyReloaded(taken);
        }

        ReloadAttempted?.Invoke(this, taken);
    }

    private void Publish(GpuPolicy policy, string fingerprint)
    {
        Volatile.Write(ref _current, policy);
        Volatile.Write(ref _status, new ReloadStatus(_file ?? BuiltInSource, true, _time.GetUtcNow(), fingerprint, [], null));
    }

    private static (GpuPolicy? Policy, string? Fingerprint, IReadOnlyList<string> Errors) Read(string file)
    {
        byte[] content;
        try
        {
            if (new FileInfo(file).Length is var length and > PolicyLoader.MaxBytes)
            {
                return (null, null, [.. PolicyLoader.TooLarge(length).Errors.Select(e => e.ToString())]);
            }

            content = System.IO.File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return (null, null, [$"{file}: cannot be read: {e.Message}"]);
        }

        var result = PolicyLoader.Parse(Encoding.UTF8.GetString(content));
        return result.IsValid && result.Policy is not null
            ? (result.Policy, ReloadStatus.FingerprintOf(content), [])
            : (null, ReloadStatus.FingerprintOf(content), result.Errors.Count > 0 ? [.. result.Errors.Select(e => e.ToString())] : ["the policy loader returned no policy and no error"]);
    }
}
