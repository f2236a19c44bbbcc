using System.Globalization;
using System.Net;

namespace Platform.NodeAgent.Gpu.Simulated;

/// <summary>
/// Fault injection on the HTTP port, mapped only when <c>Gpu:Driver=simulated</c>:
/// <c>POST /simulator/xid?gpu=N&amp;xid=C[&amp;gi=I]</c> (gi: the GPU instance of a MIG-enabled GPU), <c>POST /simulator/lose?gpu=N</c>, <c>POST /simulator/reset?gpu=N</c>.
/// Answered to loopback callers only (curl on the same machine, <c>kubectl port-forward</c>, <c>kubectl exec</c>):
/// the port also serves /metrics on the pod IP, and anyone who reaches that must not be able to fail GPUs.
/// </summary>
internal static class SimulatorEndpoints
{
    public static void MapSimulator(this IEndpointRouteBuilder endpoints, SimulatedGpuDriver simulator)
    {
        endpoints.MapPost("/simulator/xid", LoopbackOnly(context =>
        {
            if (!TryGpu(context, simulator, out var gpu, out var error))
            {
                return BadRequest(context, error);
            }

            if (!ulong.TryParse(context.Request.Query["xid"], NumberStyles.None, CultureInfo.InvariantCulture, out var xid))
            {
                return BadRequest(context, "Query parameter 'xid' must be an XID number, e.g. xid=79.");
            }

            uint? gi = null;
            if (context.Request.Query.ContainsKey("gi"))
            {
                if (!uint.TryParse(context.Request.Query["gi"], NumberStyles.None, CultureInfo.InvariantCulture, out var instance))
                {
                    return BadRequest(context, "Query parameter 'gi' must be a GPU instance id, e.g. gi=1.");
                }

                gi = instance;
            }

            simulator.InjectXid(gpu, xid, gi);
            return Ok(context, gi is { } id
                ? string.Create(CultureInfo.InvariantCulture, $"XID {xid} raised on GPU {gpu}, GPU instance {id}.")
                : string.Create(CultureInfo.InvariantCulture, $"XID {xid} raised on GPU {gpu}."));
        }));
        endpoints.MapPost("/simulator/lose", LoopbackOnly(context =>
        {
            if (!TryGpu(context, simulator, out var gpu, out var error))
            {
                return BadRequest(context, error);
            }

            simulator.Lose(gpu);
            return Ok(context, string.Create(CultureInfo.InvariantCulture, $"GPU {gpu} fell off the bus (XID 79)."));
        }));
        endpoints.MapPost("/simulator/reset", LoopbackOnly(context =>
        {
            if (!TryGpu(context, simulator, out var gpu, out var error))
            {
                return BadRequest(context, error);
            }

            simulator.Reset(gpu);
            return Ok(context, string.Create(CultureInfo.InvariantCulture, $"GPU {gpu} was reset."));
        }));
    }

    /// <summary>The handler for loopback callers; 403 with the way in for everyone else.</summary>
    internal static RequestDelegate LoopbackOnly(RequestDelegate handler) => context =>
    {
        if (FromLoopback(context.Connection.RemoteIpAddress))
        {
            return handler(context);
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Ok(context, "Fault injection answers loopback callers only: use curl on the node, kubectl port-forward or kubectl exec.");
    };

    /// <summary>True for 127.0.0.0/8 and ::1, also when IPv4 arrives mapped into IPv6.</summary>
    internal static bool FromLoopback(IPAddress? remote) =>
        remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    private static bool TryGpu(HttpContext context, SimulatedGpuDriver simulator, out int gpu, out string error)
    {
        error = string.Empty;
        if (!int.TryParse(context.Request.Query["gpu"], NumberStyles.None, CultureInfo.InvariantCulture, out gpu) || gpu >= simulator.Count)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"Query parameter 'gpu' must be a GPU index from 0 to {simulator.Count - 1}, e.g. gpu=0.");
            return false;
        }

        return true;
    }

    private static Task Ok(HttpContext context, string message)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private static Task BadRequest(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return Ok(context, message);
    }
}
