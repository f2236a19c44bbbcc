using Grpc.Core;
using Pluginregistration;

namespace Platform.NodeAgent.Dra.Registration;

/// <summary>
/// <c>pluginregistration.Registration</c>, which the kubelet's plugin watcher calls on the registration
/// socket: GetInfo says what the plugin is and where its DRA service listens; NotifyRegistrationStatus is the
/// kubelet's verdict.
/// </summary>
internal sealed partial class DraRegistrationService(DraOptions options, DraRegistrationStatus status, ILogger<DraRegistrationService> logger) : Pluginregistration.Registration.RegistrationBase
{
    public const string PluginType = "DRAPlugin";

    /// <summary>Service names, newest first: the kubelet takes the first it supports.</summary>
    public static readonly string[] SupportedVersions = ["v1.DRAPlugin", "v1beta1.DRAPlugin"];

    public override Task<PluginInfo> GetInfo(InfoRequest request, ServerCallContext context)
    {
        var info = new PluginInfo { Type = PluginType, Name = options.DriverName, Endpoint = options.PluginSocketPath };
        info.SupportedVersions.AddRange(SupportedVersions);
        LogInfoRequested(options.DriverName, options.PluginSocketPath);
        return Task.FromResult(info);
    }

    public override Task<RegistrationStatusResponse> NotifyRegistrationStatus(RegistrationStatus request, ServerCallContext context)
    {
        status.OnNotified(request.PluginRegistered, request.Error);
        if (request.PluginRegistered)
        {
            LogRegistered(options.DriverName);
        }
        else
        {
            LogRejected(options.DriverName, request.Error);
        }

        return Task.FromResult(new RegistrationStatusResponse());
    }

    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, Message = "The kubelet asked for the plugin info of DRA driver {DriverName}; its endpoint is {Endpoint}.")]
    private partial void LogInfoRequested(string driverName, string endpoint);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "The kubelet registered DRA driver {DriverName}.")]
    private partial void LogRegistered(string driverName);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Error, Message = "The kubelet refused to register DRA driver {DriverName}: {Error}.")]
    private partial void LogRejected(string driverName, string error);
}
