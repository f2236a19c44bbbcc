using System.Globalization;

namespace Platform.NodeAgent.Gpu.Simulated;

/// <summary>
/// Fault injection on the HTTP port, mapped only when <c>Gpu:Driver=simulated</c>:
/// <c>POST /simulator/xid?gpu=N&amp;xid=C[&amp;gi=I]</c> (gi: the GPU instance of a MIG-enabled GPU), <c>POST /simulator/lose?gpu=N</c>, <c>POST /simulator/reset?gpu=N</c>.
/// </summary>
internal static class SimulatorEndpoints
{
    public static void MapSimulator(this IEndpointRouteBuilder endpoints, SimulatedGpuDriver simulator)
    {
        endpoints.MapPost("/simulator/xid", context =>
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
        });
        endpoints.MapPost("/simulator/lose", context =>
        {
            if (!TryGpu(context, simulator, out var gpu, out var error))
            {
                return BadRequest(context, error);
            }

            simulator.Lose(gpu);
            return Ok(context, string.Create(CultureInfo.InvariantCulture, $"GPU {gpu} fell off the bus (XID 79)."));
        });
        endpoints.MapPost("/simulator/reset", context =>
        {
            if (!TryGpu(context, simulator, out var gpu, out var error))
            {
                return BadRequest(context, error);
            }

            simulator.Reset(gpu);
            return Ok(context, string.Create(CultureInfo.InvariantCulture, $"GPU {gpu} was reset."));
        });
    }

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
